// The customer's mood as the workspace shows it: each scored customer message's level, and the
// conversation's trend weighted like the server's alert (the newest message counts 60%), so
// the header and a supervisor's alert tell the same story.
import type { Message } from '../../api/types';

export type MoodLevel = 'angry' | 'negative' | 'neutral' | 'positive';

/** The server raises an alert at or below this (kefu-sentiment's RAISE_AT). */
export const ANGRY_AT = -0.5;
/** VADER's customary neutral band, which the Chinese scale is calibrated to. */
export const NEUTRAL_BAND = 0.05;
const LATEST_WEIGHT = 0.6;

export function moodLevel(score: number): MoodLevel {
  if (score <= ANGRY_AT) return 'angry';
  if (score <= -NEUTRAL_BAND) return 'negative';
  if (score >= NEUTRAL_BAND) return 'positive';
  return 'neutral';
}

/** The scores of the customer's scored messages, oldest first. */
export function customerScores(messages: readonly Pick<Message, 'sender' | 'sentiment'>[]): number[] {
  return messages.filter((m) => m.sender === 'visitor' && m.sentiment).map((m) => m.sentiment!.score);
}

/** The weighted trend after each message (same length as `scores`). */
export function trendLine(scores: readonly number[]): number[] {
  const out: number[] = [];
  for (const s of scores) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? s : LATEST_WEIGHT * s + (1 - LATEST_WEIGHT) * prev);
  }
  return out;
}

/** SVG polyline points for scores in -1..1 over a width × height box. */
export function sparkPoints(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) return '';
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values
    .map((v, i) => {
      const x = values.length > 1 ? i * step : width / 2;
      const y = ((1 - Math.max(-1, Math.min(1, v))) / 2) * height;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

//! A recorded call's chat, laid on its video: which messages fall within the recording, each at
//! its offset in the MP4 (seconds from the first frame), and which one is current at a playing
//! time (the last one said at or before it). Pure.

import type { Message } from '../../api/types';

export interface TimedLine<M> {
  message: M;
  /** Seconds from the MP4's first frame. */
  at: number;
}

/**
 * The messages said while the call was recorded, oldest first, each with its offset: from the
 * MP4's first frame (`startsAt`) to the end of the call (`endsAt`, or open while unknown).
 */
export function timedLines<M extends Pick<Message, 'created_at'>>(messages: readonly M[], startsAt: string, endsAt: string | null): TimedLine<M>[] {
  const start = Date.parse(startsAt);
  const end = endsAt ? Date.parse(endsAt) : Number.POSITIVE_INFINITY;
  return messages
    .map((message) => ({ message, ms: Date.parse(message.created_at) }))
    .filter(({ ms }) => ms >= start && ms <= end)
    .sort((a, b) => a.ms - b.ms)
    .map(({ message, ms }) => ({ message, at: (ms - start) / 1000 }));
}

/** The index of the line current at `time` (s): the last at or before it; -1 before the first. */
export function currentLine(lines: readonly TimedLine<unknown>[], time: number): number {
  let found = -1;
  for (let i = 0; i < lines.length && lines[i]!.at <= time; i++) found = i;
  return found;
}

/** "1:05" for 65.4 s (the player's own clock style). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

import { describe, expect, it } from 'vitest';
import { clock, currentLine, timedLines } from './playback';

const at = (iso: string, body: string) => ({ created_at: iso, body });

describe('a recorded call\'s chat on its video', () => {
  const messages = [
    at('2026-12-01T10:00:09.000Z', 'after'),
    at('2026-12-01T10:00:02.500Z', 'second'),
    at('2026-12-01T09:59:59.000Z', 'before'),
    at('2026-12-01T10:00:01.000Z', 'first'),
  ];

  it('keeps the messages said while recording, in order, at their offsets', () => {
    const lines = timedLines(messages, '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:05.000Z');
    expect(lines.map((l) => [l.message.body, l.at])).toEqual([
      ['first', 1],
      ['second', 2.5],
    ]);
  });

  it('keeps everything after the start while the end is unknown', () => {
    expect(timedLines(messages, '2026-12-01T10:00:00.000Z', null).map((l) => l.message.body)).toEqual(['first', 'second', 'after']);
  });

  it('the current line is the last one said at or before the playing time', () => {
    const lines = timedLines(messages, '2026-12-01T10:00:00.000Z', null);
    expect(currentLine(lines, 0.5)).toBe(-1);
    expect(currentLine(lines, 1)).toBe(0);
    expect(currentLine(lines, 2.49)).toBe(0);
    expect(currentLine(lines, 3)).toBe(1);
    expect(currentLine(lines, 60)).toBe(2);
  });

  it('shows times as the player does', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(65.4)).toBe('1:05');
    expect(clock(-3)).toBe('0:00');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConversationStream, ConversationStreams, GAP_TIMEOUT_MS } from './stream';
import type { SequencedEvent, ServerEvent } from './types';

const ev = (conversation_id: number, seq: number): SequencedEvent => ({
  type: 'message.created',
  conversation_id,
  seq,
  data: { seq },
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ConversationStream', () => {
  it('asks for a resume only when a gap persists', () => {
    const onResumeNeeded = vi.fn();
    const s = new ConversationStream({ onResumeNeeded });
    s.push(ev(1, 1));
    s.push(ev(1, 3));
    vi.advanceTimersByTime(GAP_TIMEOUT_MS - 1);
    expect(onResumeNeeded).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onResumeNeeded).toHaveBeenCalledTimes(1);
    // Still open: asks again after another interval.
    vi.advanceTimersByTime(GAP_TIMEOUT_MS);
    expect(onResumeNeeded).toHaveBeenCalledTimes(2);
    expect(s.push(ev(1, 2)).map((e) => e.seq)).toEqual([2, 3]);
    vi.advanceTimersByTime(GAP_TIMEOUT_MS * 5);
    expect(onResumeNeeded).toHaveBeenCalledTimes(2);
  });

  it('a gap filled in time costs no resume', () => {
    const onResumeNeeded = vi.fn();
    const s = new ConversationStream({ onResumeNeeded, applied: 4 });
    s.push(ev(1, 6));
    vi.advanceTimersByTime(GAP_TIMEOUT_MS / 2);
    expect(s.push(ev(1, 5)).map((e) => e.seq)).toEqual([5, 6]);
    vi.advanceTimersByTime(GAP_TIMEOUT_MS * 2);
    expect(onResumeNeeded).not.toHaveBeenCalled();
  });
});

describe('ConversationStreams', () => {
  function setup() {
    const applied: SequencedEvent[] = [];
    const ephemeral: ServerEvent[] = [];
    const onResumeNeeded = vi.fn();
    const streams = new ConversationStreams({
      onApply: (e) => applied.push(e),
      onEphemeral: (e) => ephemeral.push(e),
      onResumeNeeded,
    });
    return { streams, applied, ephemeral, onResumeNeeded };
  }

  it('orders each conversation separately and reports cursors', () => {
    const { streams, applied } = setup();
    streams.track(1, 0);
    streams.track(2, 10);
    streams.dispatch(ev(1, 2));
    streams.dispatch(ev(2, 11));
    streams.dispatch(ev(1, 1));
    streams.dispatch(ev(2, 10));
    expect(applied.map((e) => `${e.conversation_id}:${e.seq}`)).toEqual(['2:11', '1:1', '1:2']);
    expect(streams.cursors()).toEqual({ '1': 2, '2': 11 });
  });

  it('passes events without seq straight through', () => {
    const { streams, applied, ephemeral } = setup();
    streams.dispatch({ type: 'typing', conversation_id: 1, data: { who: 'agent', typing: true } });
    streams.dispatch({ type: 'hello', data: {} });
    expect(applied).toEqual([]);
    expect(ephemeral.map((e) => e.type)).toEqual(['typing', 'hello']);
  });

  it('track after a snapshot skips covered events and releases buffered ones', () => {
    const { streams, applied } = setup();
    streams.dispatch(ev(3, 5));
    streams.dispatch(ev(3, 6));
    expect(applied).toEqual([]);
    streams.track(3, 4);
    expect(applied.map((e) => e.seq)).toEqual([5, 6]);
  });

  it('untrack removes the conversation from the cursors', () => {
    const { streams } = setup();
    streams.track(1, 3);
    expect(streams.has(1)).toBe(true);
    streams.untrack(1);
    expect(streams.has(1)).toBe(false);
    expect(streams.cursors()).toEqual({});
  });
});

import { describe, expect, it } from 'vitest';
import type { Note } from '../api/types';
import { message } from './testing';
import { timeline, type ThreadMessage } from './thread';

const sent = (seq: number): ThreadMessage => ({ ...message({ id: seq, seq }), state: 'sent', key: 'm' + seq });
const note = (id: number, after_seq: number): Note => ({
  id,
  conversation_id: 1,
  after_seq,
  kind: 'note',
  author_id: 5,
  author_name: '坐席一',
  body: 'n' + id,
  mentions: [],
  tag_id: null,
  created_at: '2026-11-21T10:00:00Z',
  edited_at: null,
});

describe('timeline', () => {
  it('places each note after the message whose seq it was written at', () => {
    const keys = timeline([sent(1), sent(2), sent(4)], [note(2, 2), note(1, 0), note(3, 3), note(4, 9)]).map((i) => i.key);
    expect(keys).toEqual(['n1', 'm1', 'm2', 'n2', 'n3', 'm4', 'n4']);
  });

  it('keeps pending messages last, after every note', () => {
    const pending: ThreadMessage = { ...message({ id: 0, seq: 0 }), state: 'sending', key: 'cx' };
    const keys = timeline([sent(1), pending], [note(1, 1), note(2, 5)]).map((i) => i.key);
    expect(keys).toEqual(['m1', 'n1', 'n2', 'cx']);
  });

  it('orders notes at the same place by id, whatever order they arrived in', () => {
    const keys = timeline([sent(1)], [note(7, 1), note(3, 1)]).map((i) => i.key);
    expect(keys).toEqual(['m1', 'n3', 'n7']);
  });
});

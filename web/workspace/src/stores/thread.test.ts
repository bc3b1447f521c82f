import { describe, expect, it } from 'vitest';
import type { Message } from '../api/types';
import { addPending, emptyThread, lastMessage, orderedMessages, unreadAfter, upsertMessage } from './thread';

function msg(over: Partial<Message>): Message {
  return {
    id: 1,
    conversation_id: 7,
    seq: 1,
    sender: 'visitor',
    sender_id: null,
    sender_name: 'Li',
    kind: 'text',
    body: 'hi',
    attachment: null,
    client_id: null,
    data: null,
    created_at: '2026-11-21T10:00:00Z',
    ...over,
  };
}

function pending(clientId: string, body = 'hello') {
  return { ...msg({ id: 0, seq: 0, sender: 'agent', body }), client_id: clientId };
}

describe('thread', () => {
  it('upserts by id: a replayed message replaces, never duplicates', () => {
    const t = emptyThread();
    expect(upsertMessage(t, msg({ id: 1, seq: 1 }))).toBe('added');
    expect(upsertMessage(t, msg({ id: 1, seq: 1, body: 'edited' }))).toBe('updated');
    expect(orderedMessages(t).map((m) => m.body)).toEqual(['edited']);
  });

  it('the server copy with the same client_id replaces the optimistic message', () => {
    const t = emptyThread();
    addPending(t, pending('c-1', 'hello'));
    expect(orderedMessages(t)).toMatchObject([{ state: 'sending', body: 'hello', key: 'cc-1' }]);

    upsertMessage(t, msg({ id: 9, seq: 3, sender: 'agent', body: 'hello', client_id: 'c-1' }));
    const list = orderedMessages(t);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: 9, state: 'sent', key: 'm9' });
  });

  it('the echo arriving twice (socket event and POST answer) still leaves one message', () => {
    const t = emptyThread();
    addPending(t, pending('c-2'));
    const server = msg({ id: 10, seq: 4, sender: 'agent', client_id: 'c-2' });
    upsertMessage(t, server);
    upsertMessage(t, { ...server });
    expect(orderedMessages(t)).toHaveLength(1);
  });

  it('orders server messages by seq and keeps pending ones last', () => {
    const t = emptyThread();
    addPending(t, pending('p'));
    upsertMessage(t, msg({ id: 3, seq: 3 }));
    upsertMessage(t, msg({ id: 1, seq: 1 }));
    upsertMessage(t, msg({ id: 2, seq: 2 }));
    expect(orderedMessages(t).map((m) => m.key)).toEqual(['m1', 'm2', 'm3', 'cp']);
    expect(lastMessage(t)?.key).toBe('cp');
  });

  it('counts visitor messages after a read position', () => {
    const t = emptyThread();
    upsertMessage(t, msg({ id: 1, seq: 1 }));
    upsertMessage(t, msg({ id: 2, seq: 2, sender: 'agent' }));
    upsertMessage(t, msg({ id: 3, seq: 3 }));
    upsertMessage(t, msg({ id: 4, seq: 5 }));
    expect(unreadAfter(t, 0)).toBe(3);
    expect(unreadAfter(t, 3)).toBe(1);
    expect(unreadAfter(t, 5)).toBe(0);
  });
});

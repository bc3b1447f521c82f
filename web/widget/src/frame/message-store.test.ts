import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageStore, newClientId } from './message-store';
import type { Message } from './types';

let nextId = 1;
function msg(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: over.id ?? nextId++,
    conversation_id: 1,
    seq,
    sender: 'agent',
    sender_id: 7,
    sender_name: '小王',
    kind: 'text',
    body: `m${seq}`,
    attachment: null,
    client_id: null,
    data: null,
    created_at: '2026-11-21T10:00:00Z',
    ...over,
  };
}

describe('MessageStore', () => {
  it('orders server messages by seq and puts pending ones last', () => {
    const s = new MessageStore();
    s.upsert(msg(2, { id: 20 }));
    s.addPending('c1', 'hello', '2026-11-21T10:01:00Z');
    s.upsert(msg(1, { id: 10 }));
    expect(s.items().map((i) => [i.key, i.state])).toEqual([
      ['m:10', 'sent'],
      ['m:20', 'sent'],
      ['c:c1', 'sending'],
    ]);
  });

  it('replaces the optimistic message by the server copy, keeping its key', () => {
    const s = new MessageStore();
    s.addPending('c1', 'hello', '2026-11-21T10:01:00Z');
    const server = msg(3, { id: 30, sender: 'visitor', sender_id: null, body: 'hello', client_id: 'c1' });
    expect(s.upsert(server)).toBe(true);
    expect(s.items()).toHaveLength(1);
    expect(s.items()[0]).toMatchObject({ key: 'c:c1', id: 30, seq: 3, state: 'sent' });
    // The socket echo arriving after the POST answer changes nothing.
    expect(s.upsert({ ...server })).toBe(false);
    expect(s.items()).toHaveLength(1);
  });

  it('ignores a late optimistic add when the server copy already arrived (socket beat the POST)', () => {
    const s = new MessageStore();
    s.upsert(msg(3, { id: 30, sender: 'visitor', client_id: 'c1' }));
    s.addPending('c1', 'hello', '2026-11-21T10:01:00Z');
    expect(s.items()).toHaveLength(1);
  });

  it('marks failed sends and keeps their body for a retry', () => {
    const s = new MessageStore();
    s.addPending('c1', 'hello', '2026-11-21T10:01:00Z');
    s.setPendingState('c1', 'failed');
    expect(s.items()[0]?.state).toBe('failed');
    expect(s.pendingBody('c1')).toBe('hello');
    expect(s.pendingBody('nope')).toBeNull();
  });

  it('updates an edited server message in place', () => {
    const s = new MessageStore();
    s.upsert(msg(1, { id: 5, body: 'a' }));
    expect(s.upsert(msg(1, { id: 5, body: 'b' }))).toBe(true);
    expect(s.items().map((i) => i.body)).toEqual(['b']);
  });

  it('counts agent messages for read receipts and unread badges', () => {
    const s = new MessageStore();
    s.upsert(msg(1, { sender: 'visitor', sender_id: null }));
    s.upsert(msg(2));
    s.upsert(msg(4));
    s.upsert(msg(5, { sender: 'system', kind: 'event', sender_id: null }));
    expect(s.lastAgentSeq()).toBe(4);
    expect(s.agentMessagesAfter(2)).toBe(1);
    expect(s.agentMessagesAfter(0)).toBe(2);
  });

  it("names the serving agent from that agent's latest message", () => {
    const s = new MessageStore();
    s.upsert(msg(1, { sender_id: 7, sender_name: '小王' }));
    s.upsert(msg(2, { sender_id: 8, sender_name: '小李' }));
    expect(s.agentName(7)).toBe('小王');
    expect(s.agentName(8)).toBe('小李');
    expect(s.agentName(9)).toBeNull();
  });

  it('property: any order and repetition of arrivals gives the same list', () => {
    const log = Array.from({ length: 12 }, (_, i) =>
      msg(i + 1, { id: 100 + i, sender: i % 3 ? 'agent' : 'visitor', client_id: i % 3 ? null : `c${i}` }),
    );
    const expected = (() => {
      const s = new MessageStore();
      log.forEach((m) => s.upsert(m));
      return s.items();
    })();
    fc.assert(
      fc.property(fc.shuffledSubarray([...log, ...log], { minLength: log.length * 2 }), fc.boolean(), (arrivals, optimistic) => {
        const s = new MessageStore();
        if (optimistic) for (const m of log) if (m.client_id) s.addPending(m.client_id, m.body, m.created_at);
        arrivals.forEach((m) => s.upsert({ ...m }));
        expect(s.items()).toEqual(expected);
      }),
    );
  });
});

describe('newClientId', () => {
  it('is unique enough', () => {
    const ids = new Set(Array.from({ length: 1000 }, newClientId));
    expect(ids.size).toBe(1000);
  });
});

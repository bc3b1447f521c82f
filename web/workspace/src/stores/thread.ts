//! One conversation's messages as the agent sees them: server messages keyed by id (upserted, so
//! replays and the POST answer never duplicate), plus optimistic ones keyed by client_id until the
//! server's copy, which echoes that client_id, replaces them. Pure data; no I/O.

import type { Message, Note } from '../api/types';

export type DeliveryState = 'sent' | 'sending' | 'failed';

/** A message on screen: a server message, or a local one waiting for its server copy. */
export interface ThreadMessage extends Message {
  state: DeliveryState;
  /** Stable key for v-for: `m<id>` for server messages, `c<client_id>` for pending ones. */
  key: string;
}

export interface Thread {
  /** Server messages by id. */
  messages: Map<number, Message>;
  /** Optimistic messages by client_id, in the order they were sent. */
  pending: Map<string, ThreadMessage>;
  /** True once the full history has been fetched over REST. */
  loaded: boolean;
  /** Highest message seq the visitor has read (from `message.read` reader=visitor). */
  visitorReadSeq: number;
  /** Highest message seq an agent has marked read. */
  agentReadSeq: number;
  visitorTyping: boolean;
  /** Staff-only lines (internal notes, whispers, tag lines) by id; never part of the seq log. */
  notes: Map<number, Note>;
}

export function emptyThread(): Thread {
  return {
    messages: new Map(),
    pending: new Map(),
    loaded: false,
    visitorReadSeq: 0,
    agentReadSeq: 0,
    visitorTyping: false,
    notes: new Map(),
  };
}

export type UpsertResult = 'added' | 'updated';

/** Inserts or replaces a server message; drops the optimistic copy it confirms. */
export function upsertMessage(thread: Thread, m: Message): UpsertResult {
  if (m.client_id) thread.pending.delete(m.client_id);
  const existed = thread.messages.has(m.id);
  thread.messages.set(m.id, m);
  return existed ? 'updated' : 'added';
}

export function addPending(thread: Thread, m: Omit<ThreadMessage, 'state' | 'key'> & { client_id: string }): ThreadMessage {
  const entry: ThreadMessage = { ...m, state: 'sending', key: 'c' + m.client_id };
  thread.pending.set(m.client_id, entry);
  return entry;
}

export function markPending(thread: Thread, clientId: string, state: DeliveryState): void {
  const p = thread.pending.get(clientId);
  if (p) p.state = state;
}

/** Server messages by seq, then the pending ones in sending order. */
export function orderedMessages(thread: Thread): ThreadMessage[] {
  const sent = [...thread.messages.values()]
    .sort((a, b) => a.seq - b.seq || a.id - b.id)
    .map((m): ThreadMessage => ({ ...m, state: 'sent', key: 'm' + m.id }));
  return [...sent, ...thread.pending.values()];
}

export function lastMessage(thread: Thread | undefined): ThreadMessage | undefined {
  if (!thread) return undefined;
  const pending = [...thread.pending.values()];
  if (pending.length) return pending[pending.length - 1];
  let last: Message | undefined;
  for (const m of thread.messages.values()) if (!last || m.seq > last.seq) last = m;
  return last && { ...last, state: 'sent', key: 'm' + last.id };
}

export function maxSeq(thread: Thread): number {
  let max = 0;
  for (const m of thread.messages.values()) if (m.seq > max) max = m.seq;
  return max;
}

/** Visitor messages after `readSeq`: what an agent has not yet seen. */
export function unreadAfter(thread: Thread, readSeq: number): number {
  let n = 0;
  for (const m of thread.messages.values()) if (m.sender === 'visitor' && m.seq > readSeq) n++;
  return n;
}

/** A client id the server echoes back on the stored message. */
export function newClientId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return 'c' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
}

/** One line of the transcript: a message, or a staff-only note placed after a message's seq. */
export type TimelineItem = { type: 'message'; key: string; message: ThreadMessage } | { type: 'note'; key: string; note: Note };

/**
 * Messages with the staff-only notes woven in: a note written when the conversation's last seq
 * was N sits after the message with seq N and before the next one. Pending messages (not yet
 * stored) stay last, after every note.
 */
export function timeline(messages: ThreadMessage[], notes: Iterable<Note>): TimelineItem[] {
  const queue = [...notes].sort((a, b) => a.after_seq - b.after_seq || a.id - b.id);
  const out: TimelineItem[] = [];
  let i = 0;
  const flushUpTo = (seq: number) => {
    while (i < queue.length && queue[i]!.after_seq < seq) {
      const n = queue[i++]!;
      out.push({ type: 'note', key: 'n' + n.id, note: n });
    }
  };
  for (const m of messages) {
    if (m.state === 'sent') flushUpTo(m.seq);
    else flushUpTo(Number.POSITIVE_INFINITY);
    out.push({ type: 'message', key: m.key, message: m });
  }
  flushUpTo(Number.POSITIVE_INFINITY);
  return out;
}

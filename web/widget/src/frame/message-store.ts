// The messages of one conversation as the visitor sees them: server messages keyed by id, plus
// optimistic ones keyed by client_id until the server copy (from the POST answer or the socket,
// whichever comes first) replaces them. Pure; order and duplicates of arrivals do not matter.

import type { Attachment, Message, Sender } from './types';

export type DeliveryState = 'sent' | 'sending' | 'failed';

export interface ChatItem {
  /** Stable across the optimistic -> server replacement (client_id when there is one). */
  key: string;
  id: number | null;
  seq: number | null;
  sender: Sender;
  sender_name: string | null;
  kind: Message['kind'];
  body: string;
  attachment: Attachment | null;
  client_id: string | null;
  /** Details of a system event (kind = event). */
  data: Message['data'];
  created_at: string;
  state: DeliveryState;
}

interface Pending {
  client_id: string;
  body: string;
  created_at: string;
  state: 'sending' | 'failed';
}

const keyOf = (m: { id: number; client_id: string | null }) => (m.client_id ? `c:${m.client_id}` : `m:${m.id}`);

export class MessageStore {
  readonly #byId = new Map<number, Message>();
  readonly #pending = new Map<string, Pending>();

  /** Adds or replaces a server message. Returns false when nothing changed (a duplicate). */
  upsert(m: Message): boolean {
    const hadPending = m.client_id !== null && this.#pending.delete(m.client_id);
    const old = this.#byId.get(m.id);
    this.#byId.set(m.id, m);
    return hadPending || !old || JSON.stringify(old) !== JSON.stringify(m);
  }

  /** An optimistic message, shown at once as "sending". */
  addPending(clientId: string, body: string, createdAt: string): void {
    if (this.#serverHas(clientId)) return;
    this.#pending.set(clientId, { client_id: clientId, body, created_at: createdAt, state: 'sending' });
  }

  setPendingState(clientId: string, state: 'sending' | 'failed'): void {
    const p = this.#pending.get(clientId);
    if (p) p.state = state;
  }

  pendingBody(clientId: string): string | null {
    return this.#pending.get(clientId)?.body ?? null;
  }

  get size(): number {
    return this.#byId.size + this.#pending.size;
  }

  /** Highest seq among agent messages (0 if none): what a read receipt from us covers. */
  lastAgentSeq(): number {
    let max = 0;
    for (const m of this.#byId.values()) if (m.sender === 'agent' && m.seq > max) max = m.seq;
    return max;
  }

  /** Agent messages with seq above `seq`. */
  agentMessagesAfter(seq: number): number {
    let n = 0;
    for (const m of this.#byId.values()) if (m.sender === 'agent' && m.seq > seq) n++;
    return n;
  }

  /** sender_name of the latest message from agent `agentId` (null if they have not written yet). */
  agentName(agentId: number | null): string | null {
    let best: Message | null = null;
    for (const m of this.#byId.values()) {
      if (m.sender === 'agent' && m.sender_id === agentId && m.sender_name && (!best || m.seq > best.seq)) best = m;
    }
    return best?.sender_name ?? null;
  }

  /** Server messages by seq, then the optimistic ones in the order they were written. */
  items(): ChatItem[] {
    const server = [...this.#byId.values()].sort((a, b) => a.seq - b.seq || a.id - b.id);
    const out: ChatItem[] = server.map((m) => ({
      key: keyOf(m),
      id: m.id,
      seq: m.seq,
      sender: m.sender,
      sender_name: m.sender_name,
      kind: m.kind,
      body: m.body,
      attachment: m.attachment,
      client_id: m.client_id,
      data: m.data ?? null,
      created_at: m.created_at,
      state: 'sent',
    }));
    for (const p of this.#pending.values()) {
      out.push({
        key: `c:${p.client_id}`,
        id: null,
        seq: null,
        sender: 'visitor',
        sender_name: null,
        kind: 'text',
        body: p.body,
        attachment: null,
        client_id: p.client_id,
        data: null,
        created_at: p.created_at,
        state: p.state,
      });
    }
    return out;
  }

  #serverHas(clientId: string): boolean {
    for (const m of this.#byId.values()) if (m.client_id === clientId) return true;
    return false;
  }
}

/** A client id for an optimistic message (crypto.randomUUID needs a secure context). */
export function newClientId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' && globalThis.isSecureContext) {
    return crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

//! What the offer dialog says about the customer before the agent takes the chat: their first
//! message (from the server's copy, or from the socket if they wrote after the offer came) and
//! how long they have waited since they joined the line.

import type { Conversation, Message } from '../../api/types';

/** The customer's first message: the server's `first_message`, else the first one the socket brought. */
export function firstCustomerMessage(c: Conversation, thread: readonly Message[]): Message | null {
  if (c.first_message) return c.first_message;
  return thread.find((m) => m.sender === 'visitor' && m.kind !== 'event') ?? null;
}

/** Whole seconds since the customer joined the line (queued_at), never negative. */
export function waitedSecs(c: Conversation, nowMs: number): number {
  const since = Date.parse(c.queued_at);
  return Number.isFinite(since) ? Math.max(0, Math.floor((nowMs - since) / 1000)) : 0;
}

/** A long first message is cut for the dialog (the whole text is in the chat once accepted). */
export function clip(text: string, max = 140): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max).join('') + '…';
}

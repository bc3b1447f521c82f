// The WebSocket envelope of docs/api.md ("WebSocket /api/v1/ws"). Server -> client frames are
// `{type, conversation_id?, seq?, data}`; conversation events carry `seq`, ephemeral ones do not.

/** One frame from the server. `data` is typed by the consumer according to `type`. */
export type ServerEvent = {
  type: string;
  conversation_id?: number;
  seq?: number;
  /** Call signalling frames (`call.answer`, `call.offer`, `call.error`) name their call. */
  call_id?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
};

/** A server event that belongs to a conversation's ordered log. */
export type SequencedEvent = ServerEvent & { conversation_id: number; seq: number };

/** Per-conversation cursors sent with `resume`: conversation id (as a string key) -> last applied seq. */
export type Cursors = Record<string, number>;

export type SocketStatus = 'connecting' | 'open' | 'closed';

/** True when the event is part of a conversation's ordered log (has both ids). */
export function isSequenced(ev: ServerEvent): ev is SequencedEvent {
  return typeof ev.seq === 'number' && typeof ev.conversation_id === 'number';
}

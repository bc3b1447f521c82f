// @kefu/realtime: the Kefu WebSocket client (resume, backoff, heartbeat) and per-conversation
// ordering. Framework-free; the workspace app and the widget both build on it.

export { Sequencer } from './sequencer';
export { KefuSocket, parseFrame, PING_INTERVAL_MS, type KefuSocketOptions } from './socket';
export {
  ConversationStream,
  ConversationStreams,
  GAP_TIMEOUT_MS,
  type ConversationStreamOptions,
  type ConversationStreamsOptions,
} from './stream';
export { backoffDelay, BACKOFF_MIN_MS, BACKOFF_MAX_MS } from './backoff';
export { isSequenced, type ServerEvent, type SequencedEvent, type Cursors, type SocketStatus } from './types';

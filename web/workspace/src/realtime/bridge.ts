//! The only module that touches the WebSocket. It feeds every server frame through per-conversation
//! sequencers (so each conversation's events apply once, in order, across reconnects and replays)
//! and routes them into the stores. Stores report REST snapshots through ./snapshots, which move
//! the cursors sent with `resume`. Components never import this file except the app shell.

import {
  ConversationStreams,
  KefuSocket,
  type KefuSocketOptions,
  type SequencedEvent,
  type ServerEvent,
  type SocketStatus,
} from '@kefu/realtime';
import type {
  Agent,
  Conversation,
  Message,
  MessageReadData,
  OfferCreatedData,
  TypingData,
} from '../api/types';
import { useAgentStatusStore } from '../stores/agentStatus';
import { useConnectionStore } from '../stores/connection';
import { useConversationsStore } from '../stores/conversations';
import { useDirectoryStore } from '../stores/directory';
import { useOffersStore } from '../stores/offers';
import { useSupervisorStore } from '../stores/supervisor';
import { setSnapshotSink } from './snapshots';

/** What the bridge needs of a socket; KefuSocket in the app, a fake in tests. */
export interface SocketLike {
  connect(): void;
  close(): void;
  send(obj: unknown): boolean;
  resume(): boolean;
}

export interface BridgeOptions {
  token: string;
  /** Defaults to ws(s)://<this host>/api/v1/ws. */
  url?: string;
  createSocket?: (opts: KefuSocketOptions) => SocketLike;
  gapTimeoutMs?: number;
}

export interface Bridge {
  start(): void;
  stop(): void;
  /** Every followed conversation and its last applied seq (what `resume` sends). */
  cursors(): Record<string, number>;
  /** Entry point for one server frame (the socket's onEvent). */
  handle(ev: ServerEvent): void;
}

export function socketUrl(token: string, loc: Pick<Location, 'protocol' | 'host'> = location): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/api/v1/ws?token=${encodeURIComponent(token)}`;
}

export function createBridge(opts: BridgeOptions): Bridge {
  const conversations = useConversationsStore();
  const offers = useOffersStore();
  const agentStatus = useAgentStatusStore();
  const directory = useDirectoryStore();
  const supervisor = useSupervisorStore();
  const connection = useConnectionStore();

  let everOpen = false;
  let socket: SocketLike | null = null;

  const streams = new ConversationStreams({
    onApply: applySequenced,
    onEphemeral: applyEphemeral,
    onResumeNeeded: () => socket?.resume(),
    gapTimeoutMs: opts.gapTimeoutMs,
  });

  function applySequenced(ev: SequencedEvent): void {
    const id = ev.conversation_id;
    switch (ev.type) {
      case 'message.created':
        conversations.applyMessageCreated(ev.data as Message, ev.seq);
        break;
      case 'conversation.updated': {
        const c = ev.data as Conversation;
        conversations.applyConversationUpdated(c, ev.seq);
        if (c.status !== 'offered') offers.remove(id);
        break;
      }
      case 'message.read':
        conversations.applyMessageRead(id, ev.data as MessageReadData);
        break;
      default:
        // A newer server may send event types this build does not know; they are skipped.
        break;
    }
  }

  function applyEphemeral(ev: ServerEvent): void {
    switch (ev.type) {
      case 'typing':
        if (typeof ev.conversation_id === 'number') conversations.applyTyping(ev.conversation_id, ev.data as TypingData);
        break;
      case 'offer.created': {
        const d = ev.data as OfferCreatedData;
        offers.add(d.conversation, d.expires_at ?? null);
        break;
      }
      case 'offer.revoked': {
        const id = ev.conversation_id ?? (ev.data as { conversation_id?: number } | null)?.conversation_id;
        if (typeof id === 'number') offers.remove(id);
        else if (offers.offers.length === 1) offers.remove(offers.offers[0]!.conversation.id);
        break;
      }
      case 'agent.status': {
        const a = ev.data as Agent;
        agentStatus.apply(a);
        directory.applyAgent(a);
        supervisor.applyAgent(a);
        break;
      }
      default:
        // hello, pong, queue.position (visitors only): nothing to do here.
        break;
    }
  }

  function handle(ev: ServerEvent): void {
    // An event of a conversation we have never loaded: fetch it, which also sets its cursor.
    if (typeof ev.seq === 'number' && typeof ev.conversation_id === 'number') {
      void conversations.ensureConversation(ev.conversation_id);
    }
    streams.dispatch(ev);
  }

  function onStatus(s: SocketStatus): void {
    connection.state = s;
    if (s !== 'open') return;
    if (everOpen) {
      // Ephemeral events (offers) sent while we were away are not replayed: reload the lists.
      connection.reconnects++;
      void conversations.loadActive().catch(() => {});
      void offers.loadPending().catch(() => {});
    }
    everOpen = true;
  }

  function start(): void {
    if (socket) return;
    setSnapshotSink((id, seq) => streams.track(id, seq));
    const socketOpts: KefuSocketOptions = {
      url: opts.url ?? socketUrl(opts.token),
      onEvent: handle,
      onStatus,
      cursors: streams.cursors,
    };
    socket = opts.createSocket ? opts.createSocket(socketOpts) : new KefuSocket(socketOpts);
    connection.state = 'connecting';
    socket.connect();
  }

  function stop(): void {
    setSnapshotSink(null);
    socket?.close();
    socket = null;
    streams.dispose();
    connection.state = 'idle';
    everOpen = false;
  }

  return { start, stop, cursors: () => streams.cursors(), handle };
}

let running: Bridge | null = null;

/** Opens the socket for the signed-in user (the app shell calls this once after login). */
export function startRealtime(token: string): void {
  if (running) return;
  running = createBridge({ token });
  running.start();
}

export function stopRealtime(): void {
  running?.stop();
  running = null;
}

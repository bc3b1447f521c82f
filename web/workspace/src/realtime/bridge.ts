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
import type { WsEvent } from '@kefu/api';
import { useAgentStatusStore } from '../stores/agentStatus';
import { useCallsStore } from '../stores/calls';
import { useClockStore } from '../stores/clock';
import { useConnectionStore } from '../stores/connection';
import { useConversationsStore } from '../stores/conversations';
import { useDirectoryStore } from '../stores/directory';
import { useFloorStore } from '../stores/floor';
import { useMoodsStore } from '../stores/moods';
import { useOffersStore } from '../stores/offers';
import { useNotificationsStore } from '../stores/notifications';
import { useSessionStore } from '../stores/session';
import { useSupervisorStore } from '../stores/supervisor';
import { useTagsStore } from '../stores/tags';
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
  const floor = useFloorStore();
  const moods = useMoodsStore();
  const connection = useConnectionStore();
  const clock = useClockStore();
  const session = useSessionStore();
  const calls = useCallsStore();
  const notifications = useNotificationsStore();

  let everOpen = false;
  let socket: SocketLike | null = null;

  const streams = new ConversationStreams({
    onApply: applySequenced,
    onEphemeral: applyEphemeral,
    onResumeNeeded: () => socket?.resume(),
    gapTimeoutMs: opts.gapTimeoutMs,
  });

  /**
   * A frame as the server documents it (the WsEvent union of the OpenAPI document): `data` is
   * typed by `type`. The one place the socket's JSON is trusted to match the document.
   */
  const typed = (ev: ServerEvent) => ev as WsEvent;

  function applySequenced(ev: SequencedEvent): void {
    const e = typed(ev);
    switch (e.type) {
      case 'call.updated':
        calls.apply(e.data);
        break;
      case 'message.created':
        conversations.applyMessageCreated(e.data, e.seq);
        if (e.data.attachment?.snapshot) calls.snapshotArrived(e.data.attachment.snapshot.call_id);
        break;
      case 'conversation.updated':
        conversations.applyConversationUpdated(e.data, e.seq);
        if (e.data.status !== 'offered') offers.remove(e.conversation_id);
        if (e.data.status !== 'assigned') calls.conversationGone(e.conversation_id);
        break;
      case 'message.read':
        conversations.applyMessageRead(e.conversation_id, e.data);
        break;
      default:
        // A newer server may send event types this build does not know; they are skipped.
        break;
    }
  }

  function applyEphemeral(ev: ServerEvent): void {
    const e = typed(ev);
    switch (e.type) {
      case 'call.answer':
      case 'call.offer':
      case 'call.error':
      case 'call.moved':
      case 'call.peer':
      case 'call.replaced':
      case 'call.ended':
        // Media signalling of the call I am in (no seq: not part of the conversation's log).
        calls.signal(e);
        break;
      case 'typing':
        conversations.applyTyping(e.conversation_id, e.data);
        break;
      case 'note.created':
      case 'note.updated':
        // Staff-only, without seq: it is not part of the conversation's log (see the server's
        // conversations::notes). Upserted by id, so replays are harmless and an edit replaces
        // the note in place.
        conversations.applyNote(e.data);
        break;
      case 'conversation.tags':
        conversations.applyTags(e.conversation_id, e.data.tags);
        break;
      case 'visitor.tags':
        // A colleague changed the customer's tags: the customer panel follows.
        useTagsStore().applyVisitorTags(e.data.visitor_id, e.data.tags);
        break;
      case 'notification.created':
        notifications.apply(e.data);
        break;
      case 'offer.created':
        offers.add(e.data.conversation, e.data.expires_at ?? null);
        break;
      case 'offer.revoked':
        offers.revoked(e.conversation_id, e.data.reason);
        break;
      case 'agent.status':
        agentStatus.apply(e.data);
        directory.applyAgent(e.data);
        supervisor.applyAgent(e.data);
        break;
      case 'floor.updated':
        floor.applyFloor(e.data);
        // The line moved: the supervisor's waiting list follows at once, not at the next poll.
        supervisor.floorChanged();
        break;
      case 'alert.raised':
        void floor.raised(e.data);
        break;
      case 'alert.cleared':
        floor.applyAlert(e.data);
        break;
      case 'sentiment.raised':
        void moods.raised(e.data);
        break;
      case 'sentiment.cleared':
        moods.cleared(e.data);
        break;
      case 'resync':
        // Frames may have been lost between the server's nodes: `resume` (sent by the socket)
        // brings back the conversations' events; what has no seq is read again.
        reloadUnsequenced();
        break;
      case 'hello':
        // On every (re)connect: how far this machine's clock is from the server's.
        clock.sync(e.data?.server_time);
        break;
      default:
        // pong, queue.position (visitors only): nothing to do here.
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
      connection.reconnects++;
      reloadUnsequenced();
      // The server took my call's media out when the old socket closed: it joins again.
      calls.socketReopened();
    }
    everOpen = true;
  }

  /**
   * Frames without a seq (offers, agent statuses, floor figures) are never replayed, and a
   * conversation newly mine has no cursor to resume from: after a reconnect or a `resync`, what
   * shows them is read again over REST. Only what is loaded already: a list nobody opened stays
   * unloaded.
   */
  function reloadUnsequenced(): void {
    void conversations.loadActive().catch(() => {});
    void offers.loadPending().catch(() => {});
    if (agentStatus.me) void agentStatus.load().catch(() => {});
    if (directory.agents.length > 0) void directory.loadAgents().catch(() => {});
    // The supervisor's live figures (queues, waiting line, agents' statuses) while the view is open.
    supervisor.floorChanged();
    if (floor.floor) void floor.load().catch(() => {});
  }

  function start(): void {
    if (socket) return;
    setSnapshotSink((id, seq) => streams.track(id, seq));
    const socketOpts: KefuSocketOptions = {
      url: opts.url ?? socketUrl(opts.token),
      onEvent: handle,
      onStatus,
      cursors: streams.cursors,
      // Logged out elsewhere, disabled, password or role changed, expired: the shell goes to
      // the login screen at once (drafts are kept by the drafts store).
      onSessionEnded: (reason) => session.ended(reason),
    };
    socket = opts.createSocket ? opts.createSocket(socketOpts) : new KefuSocket(socketOpts);
    calls.setSender((frame) => socket?.send(frame) ?? false);
    connection.state = 'connecting';
    socket.connect();
  }

  function stop(): void {
    setSnapshotSink(null);
    calls.setSender(null);
    calls.reset();
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

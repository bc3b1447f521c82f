import type { KefuSocketOptions, ServerEvent } from '@kefu/realtime';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentsApi } from '../api/agents';
import { conversationsApi } from '../api/conversations';
import { statsApi } from '../api/stats';
import { useAgentStatusStore } from '../stores/agentStatus';
import { useCallsStore } from '../stores/calls';
import { useClockStore } from '../stores/clock';
import { useConnectionStore } from '../stores/connection';
import { useConversationsStore } from '../stores/conversations';
import { useFloorStore } from '../stores/floor';
import { useOffersStore } from '../stores/offers';
import { useSessionStore } from '../stores/session';
import { useSupervisorStore } from '../stores/supervisor';
import { useTagsStore } from '../stores/tags';
import { agent, conversation, message } from '../stores/testing';
import { createBridge, socketUrl, type Bridge } from './bridge';
import { reportSnapshot } from './snapshots';

vi.mock('../api/conversations', () => ({
  conversationsApi: {
    list: vi.fn(),
    get: vi.fn(),
    messages: vi.fn(),
    read: vi.fn(),
    typing: vi.fn(),
  },
}));

vi.mock('../api/agents', () => ({ agentsApi: { me: vi.fn(), list: vi.fn(), setStatus: vi.fn() } }));
vi.mock('../api/stats', () => ({ statsApi: { live: vi.fn() } }));

const api = vi.mocked(conversationsApi);
const agents = vi.mocked(agentsApi);
const stats = vi.mocked(statsApi);

class FakeSocket {
  sent: unknown[] = [];
  resumes: Record<string, number>[] = [];
  connected = false;
  constructor(readonly opts: KefuSocketOptions) {}
  connect() {
    this.connected = true;
  }
  close() {
    this.connected = false;
  }
  send(obj: unknown) {
    this.sent.push(obj);
    return true;
  }
  resume() {
    this.resumes.push(this.opts.cursors());
    return true;
  }
  /** What KefuSocket does on (re)connect. */
  open() {
    this.opts.onStatus?.('open');
    this.resume();
  }
  emit(ev: ServerEvent) {
    this.opts.onEvent(ev);
  }
}

let socket: FakeSocket;
let bridge: Bridge;

function start(): Bridge {
  bridge = createBridge({
    token: 't',
    url: 'ws://127.0.0.1/api/v1/ws?token=t',
    gapTimeoutMs: 1000,
    createSocket: (opts) => (socket = new FakeSocket(opts)),
  });
  bridge.start();
  return bridge;
}

const created = (conversationId: number, seq: number, over = {}) => ({
  type: 'message.created',
  conversation_id: conversationId,
  seq,
  data: message({ id: 1000 + seq, conversation_id: conversationId, seq, ...over }),
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.resetAllMocks();
  setActivePinia(createPinia());
  useSessionStore().user = { id: 5, email: 'a@x', name: '坐席一', role: 'agent', must_change_password: false };
  api.get.mockImplementation(() => new Promise(() => {}));
  api.read.mockResolvedValue(undefined);
});

afterEach(() => {
  bridge?.stop();
  vi.useRealTimers();
});

describe('bridge: calls', () => {
  it('routes call.updated in its conversation order to the calls store, and call.* signalling too', () => {
    start();
    const calls = useCallsStore();
    const signal = vi.spyOn(calls, 'signal');
    useConversationsStore().upsertConversation(conversation({ id: 1, last_seq: 4, agent_id: 7 }));
    const view = { id: 3, conversation_id: 1, media: 'video', status: 'ringing', started_by: 'visitor', started_at: '2026-11-30T20:00:00Z' };
    socket.emit({ type: 'call.updated', conversation_id: 1, seq: 6, data: { ...view, status: 'ended' } });
    expect(calls.callOf(1)).toBeUndefined(); // waits for seq 5
    socket.emit({ type: 'call.updated', conversation_id: 1, seq: 5, data: view });
    expect(calls.callOf(1)?.status).toBe('ended');
    socket.emit({ type: 'call.offer', call_id: 3, data: { sdp: 'v=0' } });
    expect(signal).toHaveBeenCalledWith(expect.objectContaining({ type: 'call.offer', call_id: 3 }));
    // The call's media node died and a survivor took it over: the session joins it again.
    socket.emit({ type: 'call.moved', call_id: 3, data: { reason: 'home_lost' } });
    expect(signal).toHaveBeenCalledWith(expect.objectContaining({ type: 'call.moved', call_id: 3 }));
  });
});

describe('bridge cursors', () => {
  it('starts a conversation at its REST snapshot and advances with each applied event', () => {
    start();
    const store = useConversationsStore();
    store.upsertConversation(conversation({ id: 1, last_seq: 4 }));
    expect(bridge.cursors()).toEqual({ '1': 4 });

    socket.emit(created(1, 5));
    socket.emit(created(1, 6));
    expect(bridge.cursors()).toEqual({ '1': 6 });
    expect(store.messagesOf(1).map((m) => m.seq)).toEqual([5, 6]);
  });

  it('drops events already covered by the snapshot or already applied', () => {
    start();
    const store = useConversationsStore();
    store.upsertConversation(conversation({ id: 1, last_seq: 4 }));
    socket.emit(created(1, 3));
    socket.emit(created(1, 5));
    socket.emit(created(1, 5));
    expect(store.messagesOf(1).map((m) => m.seq)).toEqual([5]);
    expect(store.byId.get(1)!.unread).toBe(1);
  });

  it('buffers past a gap, applies in order once it fills, and asks to resume if it does not', () => {
    start();
    socket.open();
    const store = useConversationsStore();
    store.upsertConversation(conversation({ id: 1, last_seq: 1 }));
    socket.emit(created(1, 3));
    expect(store.messagesOf(1)).toHaveLength(0);

    vi.advanceTimersByTime(1000);
    expect(socket.resumes.at(-1)).toEqual({ '1': 1 });

    socket.emit(created(1, 2));
    expect(store.messagesOf(1).map((m) => m.seq)).toEqual([2, 3]);
    expect(bridge.cursors()).toEqual({ '1': 3 });
  });

  it('sends the current cursors when the socket (re)connects', () => {
    start();
    reportSnapshot(1, 7);
    reportSnapshot(2, 3);
    socket.open();
    expect(socket.resumes[0]).toEqual({ '1': 7, '2': 3 });
  });

  it('hands over snapshots reported before it started', () => {
    reportSnapshot(9, 12);
    start();
    expect(bridge.cursors()).toMatchObject({ '9': 12 });
  });

  it('fetches a conversation first heard of on the socket', () => {
    start();
    socket.emit(created(42, 1));
    expect(api.get).toHaveBeenCalledWith(42);
  });
});

describe('bridge routing', () => {
  it('routes offers, revocations and typing to the stores', () => {
    start();
    const offers = useOffersStore();
    const store = useConversationsStore();
    socket.emit({
      type: 'offer.created',
      data: { conversation: conversation({ id: 3, status: 'offered', agent_id: null, last_seq: 2 }), expires_at: '2026-11-21T10:00:30Z' },
    });
    expect(offers.current?.conversation.id).toBe(3);
    expect(offers.current?.expires_at).toBe('2026-11-21T10:00:30Z');
    expect(bridge.cursors()).toMatchObject({ '3': 2 });

    socket.emit({ type: 'typing', conversation_id: 3, data: { who: 'visitor', typing: true } });
    expect(store.thread(3).visitorTyping).toBe(true);

    socket.emit({ type: 'offer.revoked', conversation_id: 3, data: { reason: 'expired' } });
    expect(offers.offers).toHaveLength(0);
  });

  it('removes an offer once the conversation is assigned elsewhere', () => {
    start();
    const offers = useOffersStore();
    offers.add(conversation({ id: 3, status: 'offered', agent_id: null, last_seq: 2 }), null);
    socket.emit({ type: 'conversation.updated', conversation_id: 3, seq: 3, data: conversation({ id: 3, agent_id: 6, last_seq: 3 }) });
    expect(offers.offers).toHaveLength(0);
  });

  it('measures the clock offset from every hello (server_time)', () => {
    vi.setSystemTime(Date.parse('2026-11-21T10:00:00Z') - 90_000);
    start();
    socket.emit({ type: 'hello', data: { server_time: '2026-11-21T10:00:00Z' } });
    expect(useClockStore().serverOffsetMs).toBe(90_000);
    // A reconnect later: the local clock was corrected meanwhile.
    vi.setSystemTime(Date.parse('2026-11-21T10:10:00Z'));
    socket.emit({ type: 'hello', data: { server_time: '2026-11-21T10:10:00.250Z' } });
    expect(useClockStore().serverOffsetMs).toBe(250);
  });

  it('applies agent.status about me to my status', () => {
    start();
    const status = useAgentStatusStore();
    status.me = agent({ id: 5, status: 'ready' });
    socket.emit({ type: 'agent.status', data: agent({ id: 5, status: 'wrap_up', wrap_up_until: '2026-11-21T10:01:00Z' }) });
    socket.emit({ type: 'agent.status', data: agent({ id: 6, status: 'away' }) });
    expect(status.status).toBe('wrap_up');
  });

  it('routes floor and alert frames to the floor store', () => {
    start();
    const floor = useFloorStore();
    const raised = vi.spyOn(floor, 'raised').mockResolvedValue();
    const view = { as_of: '2026-12-01T10:00:00Z', service_level_target_secs: 20, service_level_min_judged: 10, groups: [] };
    socket.emit({ type: 'floor.updated', data: view });
    expect(floor.floor?.as_of).toBe(view.as_of);
    const alert = {
      id: 3, group_id: 1, group_name: 'Cards', metric: 'waiting', level: 'warning', peak_level: 'warning',
      value: 2, threshold: 2, raised_at: '2026-12-01T10:00:00Z', cleared_at: null,
    };
    socket.emit({ type: 'alert.raised', data: alert });
    expect(raised).toHaveBeenCalledWith(alert);
    socket.emit({ type: 'alert.cleared', data: { ...alert, cleared_at: '2026-12-01T10:01:00Z' } });
    expect(floor.alerts[0]?.cleared_at).toBe('2026-12-01T10:01:00Z');
    expect(floor.active).toHaveLength(0);
  });

  it('reflects the connection state and reloads lists after a reconnect', () => {
    api.list.mockResolvedValue([]);
    start();
    const connection = useConnectionStore();
    expect(connection.state).toBe('connecting');
    socket.open();
    expect(connection.state).toBe('open');
    expect(api.list).not.toHaveBeenCalled();
    socket.opts.onStatus?.('closed');
    socket.open();
    expect(connection.reconnects).toBe(1);
    expect(api.list).toHaveBeenCalledWith('assigned', true);
    expect(api.list).toHaveBeenCalledWith('offered', true);
  });
});

describe('bridge: resync', () => {
  it('reads again what has no seq (offers, my chats, statuses, the floor) when frames may have been lost', async () => {
    const offered = conversation({ id: 9, status: 'offered', offered_agent_id: 5 });
    api.list.mockImplementation((status) => Promise.resolve(status === 'offered' ? [offered] : []));
    agents.me.mockResolvedValue(agent({ id: 5, status: 'away', away_reason: 'missed_offers' }));
    stats.live.mockResolvedValue({ agents: [agent({ id: 6, status: 'away' })] } as never);
    start();
    socket.open();
    const supervisor = useSupervisorStore();
    supervisor.startPolling();
    await vi.waitFor(() => expect(supervisor.stats).not.toBeNull());
    const agentStatus = useAgentStatusStore();
    agentStatus.me = agent({ id: 5, status: 'ready' });
    expect(api.list).not.toHaveBeenCalled();

    // The offer.created and agent.status frames went to a node cut off from this one.
    socket.emit({ type: 'resync', data: { reason: 'bus_reconnected' } });
    await vi.waitFor(() => expect(useOffersStore().offers.map((o) => o.conversation.id)).toEqual([9]));
    expect(api.list).toHaveBeenCalledWith('assigned', true);
    await vi.waitFor(() => expect(agentStatus.status).toBe('away'));
    expect(stats.live).toHaveBeenCalledTimes(2);
    expect(useConnectionStore().reconnects).toBe(0);
    supervisor.stopPolling();
  });
});

describe('socketUrl', () => {
  it('uses wss on https and encodes the token', () => {
    expect(socketUrl('a b', { protocol: 'https:', host: 'kefu.example' })).toBe('wss://kefu.example/api/v1/ws?token=a%20b');
    expect(socketUrl('t', { protocol: 'http:', host: '127.0.0.1:18082' })).toBe('ws://127.0.0.1:18082/api/v1/ws?token=t');
  });
});

describe('bridge: order independence', () => {
  /** A small deterministic PRNG so a failure can be replayed. */
  function rng(seed: number) {
    return () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
  }

  function log(): ServerEvent[] {
    const evs: ServerEvent[] = [];
    for (let seq = 1; seq <= 12; seq++) {
      if (seq % 5 === 0) {
        evs.push({ type: 'message.read', conversation_id: 1, seq, data: { reader: 'visitor', seq: seq - 1 } });
      } else if (seq % 4 === 0) {
        evs.push({ type: 'conversation.updated', conversation_id: 1, seq, data: conversation({ id: 1, last_seq: seq, topic: `t${seq}` }) });
      } else {
        evs.push(created(1, seq, { sender: seq % 3 === 0 ? 'agent' : 'visitor', body: `m${seq}` }));
      }
    }
    return evs;
  }

  function finalState(events: ServerEvent[]) {
    setActivePinia(createPinia());
    useSessionStore().user = { id: 5, email: 'a@x', name: '坐席一', role: 'agent', must_change_password: false };
    start();
    const store = useConversationsStore();
    store.upsertConversation(conversation({ id: 1, last_seq: 0 }));
    for (const ev of events) socket.emit(ev);
    const state = {
      messages: store.messagesOf(1).map((m) => [m.seq, m.body]),
      topic: store.byId.get(1)!.topic,
      unread: store.byId.get(1)!.unread,
      visitorRead: store.thread(1).visitorReadSeq,
      cursors: bridge.cursors(),
    };
    bridge.stop();
    return state;
  }

  it('any shuffled, duplicated delivery yields the same state as the ordered one', () => {
    const ordered = finalState(log());
    expect(ordered.messages).toHaveLength(7);
    for (let seed = 1; seed <= 25; seed++) {
      const rand = rng(seed);
      const events = log().flatMap((e) => (rand() < 0.3 ? [e, e] : [e]));
      for (let i = events.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [events[i], events[j]] = [events[j]!, events[i]!];
      }
      expect(finalState(events)).toEqual(ordered);
    }
  });
});

describe('bridge and the end of a session', () => {
  it('signs the user out with the server’s reason when the socket says the session ended', () => {
    start();
    const session = useSessionStore();
    session.token = 'tok';
    session.user = { id: 5, email: 'a@x', name: '坐席一', role: 'agent', must_change_password: false };
    const before = session.expired;
    socket.opts.onSessionEnded?.('disabled');
    expect(session.token).toBeNull();
    expect(session.endedReason).toBe('disabled');
    expect(session.expired).toBe(before + 1);
  });
});

describe('bridge: staff-only lines', () => {
  it('applies note.created without touching the cursor, once however often it is replayed', () => {
    start();
    const store = useConversationsStore();
    store.upsertConversation(conversation({ id: 1, last_seq: 4 }));
    const note = {
      type: 'note.created',
      conversation_id: 1,
      data: {
        id: 9,
        conversation_id: 1,
        after_seq: 4,
        kind: 'note',
        author_id: 5,
        author_name: '坐席一',
        body: '内部',
        mentions: [],
        tag_id: null,
        created_at: '2026-11-30T20:00:00Z',
        edited_at: null,
      },
    };
    socket.emit(note);
    socket.emit(note);
    expect(store.notesOf(1).map((n) => n.id)).toEqual([9]);
    expect(bridge.cursors()).toEqual({ '1': 4 });
    // The next sequenced event follows on directly: the note took no number.
    socket.emit(created(1, 5));
    expect(store.messagesOf(1).map((m) => m.seq)).toEqual([5]);
  });

  it('replaces an edited note in place on note.updated', () => {
    start();
    const store = useConversationsStore();
    store.upsertConversation(conversation({ id: 1, last_seq: 4 }));
    const data = {
      id: 9,
      conversation_id: 1,
      after_seq: 4,
      kind: 'note',
      author_id: 5,
      author_name: '坐席一',
      body: '内部',
      mentions: [],
      tag_id: null,
      created_at: '2026-11-30T20:00:00Z',
      edited_at: null,
    };
    socket.emit({ type: 'note.created', conversation_id: 1, data });
    socket.emit({ type: 'note.updated', conversation_id: 1, data: { ...data, body: '改过的', edited_at: '2026-11-30T20:01:00Z' } });
    expect(store.notesOf(1).map((n) => [n.id, n.body, n.edited_at])).toEqual([[9, '改过的', '2026-11-30T20:01:00Z']]);
    expect(bridge.cursors()).toEqual({ '1': 4 });
  });

  it('applies conversation.tags to the conversation', () => {
    start();
    const store = useConversationsStore();
    store.upsertConversation(conversation({ id: 1, last_seq: 4 }));
    socket.emit({ type: 'conversation.tags', conversation_id: 1, data: { tags: [{ id: 2, name: '投诉', color: '#f56c6c', disabled: false }] } });
    expect(store.byId.get(1)!.tags.map((t) => t.name)).toEqual(['投诉']);
  });
});

describe('bridge: customer tags', () => {
  it('applies visitor.tags to a customer whose tags are loaded, and ignores others', () => {
    start();
    const tags = useTagsStore();
    tags.ofVisitor.set(3, []);
    const tag = { id: 2, name: '老客户', color: '#409eff', disabled: false };
    socket.emit({ type: 'visitor.tags', conversation_id: 1, data: { visitor_id: 3, tags: [tag] } });
    socket.emit({ type: 'visitor.tags', conversation_id: 8, data: { visitor_id: 4, tags: [tag] } });
    expect(tags.ofVisitor.get(3)!.map((t) => t.name)).toEqual(['老客户']);
    expect(tags.ofVisitor.has(4)).toBe(false);
    socket.emit({ type: 'visitor.tags', conversation_id: 1, data: { visitor_id: 3, tags: [] } });
    expect(tags.ofVisitor.get(3)).toEqual([]);
  });
});

describe('bridge: notes of conversations not loaded here', () => {
  it('are not kept (supervisors hear of every note)', () => {
    start();
    const store = useConversationsStore();
    socket.emit({
      type: 'note.created',
      conversation_id: 77,
      data: { id: 1, conversation_id: 77, after_seq: 0, kind: 'note', author_id: 5, author_name: 'x', body: 'y', mentions: [], tag_id: null, created_at: '2026-11-30T20:00:00Z' },
    });
    expect(store.threads.has(77)).toBe(false);
  });
});

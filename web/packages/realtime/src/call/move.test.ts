import { describe, expect, it, vi } from 'vitest';
import { CallSession, type CallClientFrame, type PeerLike } from './session';
import { FakePeer, FakeTrack } from './fake-peer';
import { MAX_RETRIES, MediaRejoin, RETRY_MS, SETTLE_MS } from './rejoin';

/** A session whose every peer connection is kept, on a clock the test moves. */
function setup() {
  const peers: FakePeer[] = [];
  const sent: CallClientFrame[] = [];
  const states: string[] = [];
  const errors: string[] = [];
  const ended: string[] = [];
  let screenEnded = 0;
  const handedOut: PeerLike[] = [];
  let now = 1_000_000;
  const session = new CallSession({
    callId: 7,
    send: (f) => (sent.push(f), true),
    createPeer: () => {
      const p = new FakePeer();
      peers.push(p);
      return p;
    },
    onState: (s) => states.push(s),
    onError: (code) => errors.push(code),
    onTrackEnded: (t) => ended.push(t.kind),
    onScreenEnded: () => (screenEnded += 1),
    onPeer: (p) => handedOut.push(p),
    now: () => now,
  });
  return { session, peers, sent, states, errors, ended, handedOut, advance: (ms: number) => (now += ms), screenEnded: () => screenEnded };
}

const track = (kind: string) => ({ kind }) as MediaStreamTrack;
const moved = { type: 'call.moved', call_id: 7, data: { reason: 'home_lost' } };
const answer = (sdp: string) => ({ type: 'call.answer', call_id: 7, data: { sdp } });

async function connected(s: ReturnType<typeof setup>) {
  await s.session.join([track('audio'), track('video')]);
  await s.session.handle(answer('server-answer-1'));
  const peer = s.peers.at(-1)!;
  peer.connectionState = 'connected';
  peer.emit('connectionstatechange');
}

describe('a call whose media node died (call.moved)', () => {
  it('joins again on a new peer connection with the same tracks, reconnecting until media flows', async () => {
    const s = setup();
    await connected(s);
    const [first] = s.peers;
    await s.session.handle(moved);
    expect(first!.closed).toBe(true);
    expect(s.peers).toHaveLength(2);
    const second = s.peers[1]!;
    expect(s.session.peer).toBe(second);
    expect(s.handedOut).toEqual([second]);
    expect(second.transceivers.map((t) => [t.what, t.direction])).toEqual([
      ['audio', 'sendrecv'],
      ['video', 'sendrecv'],
    ]);
    expect(s.sent.map((f) => f.type)).toEqual(['call.join', 'call.join']);
    expect(s.sent.some((f) => f.type === 'call.leave')).toBe(false);
    expect(s.states.at(-1)).toBe('reconnecting');
    await s.session.handle(answer('server-answer-2'));
    expect(second.remote?.sdp).toBe('server-answer-2');
    expect(s.states.at(-1)).toBe('reconnecting');
    // The dead connection's late failure is not this call's any more.
    first!.connectionState = 'failed';
    first!.emit('connectionstatechange');
    expect(s.states.at(-1)).toBe('reconnecting');
    second.connectionState = 'connected';
    second.emit('connectionstatechange');
    expect(s.states.at(-1)).toBe('connected');
    expect(s.errors).toEqual([]);
  });

  it('ignores a repeated call.moved while its rejoin is under way', async () => {
    const s = setup();
    await connected(s);
    await s.session.handle(moved);
    s.advance(2_000);
    await s.session.handle(moved);
    expect(s.peers).toHaveLength(2);
    expect(s.sent.filter((f) => f.type === 'call.join')).toHaveLength(2);
  });

  it('asks again when its join reaches a node that has not taken the call over yet', async () => {
    vi.useFakeTimers();
    try {
      const s = setup();
      await connected(s);
      await s.session.handle(moved);
      await s.session.handle({ type: 'call.error', call_id: 7, data: { code: 'media_unavailable', message: 'unreachable' } });
      expect(s.errors).toEqual([]);
      await vi.advanceTimersByTimeAsync(RETRY_MS + 10);
      expect(s.peers).toHaveLength(3);
      expect(s.sent.filter((f) => f.type === 'call.join')).toHaveLength(3);
      // Any other refusal is the person's to see.
      await s.session.handle({ type: 'call.error', call_id: 7, data: { code: 'call_not_active', message: 'ended' } });
      expect(s.errors).toEqual(['call_not_active']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows reconnecting while the connection is down, and connected when it recovers', async () => {
    const s = setup();
    await connected(s);
    const peer = s.peers[0]!;
    peer.connectionState = 'disconnected';
    peer.emit('connectionstatechange');
    expect(s.states.at(-1)).toBe('reconnecting');
    peer.connectionState = 'connected';
    peer.emit('connectionstatechange');
    expect(s.states.at(-1)).toBe('connected');
  });

  it('does nothing before the first join', async () => {
    const s = setup();
    await s.session.handle(moved);
    expect(s.peers).toHaveLength(1);
    expect(s.sent).toEqual([]);
  });
});

describe('a screen shared when the call moves', () => {
  /** A connected call sharing `screen` (its renegotiation answered). */
  async function sharing(s: ReturnType<typeof setup>, screen: FakeTrack) {
    await connected(s);
    await s.session.shareScreen(screen as unknown as MediaStreamTrack);
    await s.session.handle(answer('server-answer-share'));
    expect(s.sent.at(-1)).toMatchObject({ type: 'call.renegotiate', screen_mids: ['2'] });
  }

  it('is published again on the new peer with the same track, named a screen in the join', async () => {
    const s = setup();
    const screen = new FakeTrack('video');
    await sharing(s, screen);
    await s.session.handle(moved);
    const second = s.peers[1]!;
    expect(second.transceivers.map((t) => [t.what, t.direction])).toEqual([
      ['audio', 'sendrecv'],
      ['video', 'sendrecv'],
      ['video', 'sendonly'],
    ]);
    expect(second.made[2]!.track).toBe(screen);
    expect(s.sent.at(-1)).toEqual({ type: 'call.join', call_id: 7, sdp: 'client-offer-1', screen_mids: ['2'] });
    // Nothing was stopped: no new picker, the share goes on.
    expect(screen.readyState).toBe('live');
    expect(s.session.sharing).toBe(true);
    expect(s.screenEnded()).toBe(0);
  });

  it("takes the shared tab's sound along with the picture", async () => {
    const s = setup();
    const screen = new FakeTrack('video');
    const sound = new FakeTrack('audio');
    await connected(s);
    await s.session.shareScreen(screen as unknown as MediaStreamTrack, sound as unknown as MediaStreamTrack);
    await s.session.handle(answer('server-answer-share'));
    await s.session.handle(moved);
    const second = s.peers[1]!;
    expect(second.made[2]!.track).toBe(screen);
    expect(second.made[3]!.track).toBe(sound);
    expect(s.sent.at(-1)).toMatchObject({ type: 'call.join', screen_mids: ['2', '3'] });
    expect(s.session.sharingSound).toBe(true);
    expect(sound.readyState).toBe('live');
  });

  it('is dropped when its track ended meanwhile, and the join carries no screen', async () => {
    const s = setup();
    const screen = new FakeTrack('video');
    await sharing(s, screen);
    // Ended without the event reaching the session yet (e.g. stopped while the page was busy).
    screen.readyState = 'ended';
    await s.session.handle(moved);
    expect(s.peers[1]!.transceivers.map((t) => t.direction)).toEqual(['sendrecv', 'sendrecv']);
    expect(s.sent.at(-1)).toMatchObject({ type: 'call.join', screen_mids: [] });
    expect(s.session.sharing).toBe(false);
    expect(s.screenEnded()).toBe(1);
  });

  it('goes along again when the rejoin is refused and tried once more', async () => {
    vi.useFakeTimers();
    try {
      const s = setup();
      const screen = new FakeTrack('video');
      await sharing(s, screen);
      await s.session.handle(moved);
      await s.session.handle({ type: 'call.error', call_id: 7, data: { code: 'media_unavailable', message: 'not yet' } });
      await vi.advanceTimersByTimeAsync(RETRY_MS + 10);
      expect(s.peers).toHaveLength(3);
      expect(s.peers[2]!.made.at(-1)!.track).toBe(screen);
      expect(s.sent.at(-1)).toMatchObject({ type: 'call.join', screen_mids: ['2'] });
      expect(s.screenEnded()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("stops on the new peer: by the person, or by the browser's stop button", async () => {
    const s = setup();
    const screen = new FakeTrack('video');
    await sharing(s, screen);
    await s.session.handle(moved);
    await s.session.handle(answer('server-answer-2'));
    const second = s.peers[1]!;
    second.connectionState = 'connected';
    second.emit('connectionstatechange');
    screen.endByBrowser();
    await vi.waitFor(() => expect(s.sent.at(-1)).toMatchObject({ type: 'call.renegotiate', screen_mids: ['2'] }));
    expect(second.made[2]!.direction).toBe('inactive');
    expect(second.made[2]!.track).toBeNull();
    expect(s.session.sharing).toBe(false);
    expect(s.screenEnded()).toBe(1);
  });
});

describe('MediaRejoin', () => {
  it('takes one move at a time, and a new move once settled or after a while', () => {
    const r = new MediaRejoin();
    expect(r.moved(0)).toBe(true);
    expect(r.moved(SETTLE_MS - 1)).toBe(false);
    expect(r.moved(SETTLE_MS)).toBe(true);
    r.settled();
    expect(r.moved(SETTLE_MS + 1)).toBe(true);
  });

  it('retries only media_unavailable, a bounded number of times per move', () => {
    const r = new MediaRejoin();
    r.moved(0);
    expect(r.refused('bad_sdp')).toBeNull();
    for (let i = 0; i < MAX_RETRIES; i++) expect(r.refused('media_unavailable')).toBe(RETRY_MS);
    expect(r.refused('media_unavailable')).toBeNull();
    expect(r.moved(SETTLE_MS)).toBe(true);
    expect(r.refused('media_unavailable')).toBe(RETRY_MS);
  });
});

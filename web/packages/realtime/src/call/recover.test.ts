import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallSession, type CallClientFrame } from './session';
import { FakePeer } from './fake-peer';
import { ATTEMPT_FIRST_MS, ATTEMPT_MAX_MS, DISCONNECTED_MS, MediaRecovery, RECOVER_FOR_MS } from './rejoin';

/** A session on fake timers whose every peer connection is kept. */
function setup() {
  const peers: FakePeer[] = [];
  const sent: CallClientFrame[] = [];
  const states: string[] = [];
  const errors: string[] = [];
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
    now: () => Date.now(),
  });
  const joins = () => sent.filter((f) => f.type === 'call.join').length;
  return { session, peers, sent, states, errors, joins };
}

const track = (kind: string) => ({ kind }) as MediaStreamTrack;
const answer = (sdp: string) => ({ type: 'call.answer', call_id: 7, data: { sdp } });

function to(peer: FakePeer, state: RTCPeerConnectionState) {
  peer.connectionState = state;
  peer.emit('connectionstatechange');
}

async function connected(s: ReturnType<typeof setup>) {
  await s.session.join([track('audio'), track('video')]);
  await s.session.handle(answer('server-answer-1'));
  to(s.peers.at(-1)!, 'connected');
}

describe('a connection lost on the same node', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('joins again on a new peer connection when it fails, reconnecting until media flows', async () => {
    const s = setup();
    await connected(s);
    const [first] = s.peers;
    to(first!, 'failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(first!.closed).toBe(true);
    expect(s.peers).toHaveLength(2);
    const second = s.peers[1]!;
    expect(second.transceivers.map((t) => [t.what, t.direction])).toEqual([
      ['audio', 'sendrecv'],
      ['video', 'sendrecv'],
    ]);
    expect(s.joins()).toBe(2);
    expect(s.states.at(-1)).toBe('reconnecting');
    await s.session.handle(answer('server-answer-2'));
    to(second, 'connected');
    expect(s.states.at(-1)).toBe('connected');
    // Recovered: no further attempt.
    await vi.advanceTimersByTimeAsync(RECOVER_FOR_MS);
    expect(s.joins()).toBe(2);
    expect(s.errors).toEqual([]);
  });

  it('joins again after DISCONNECTED_MS of disconnected, not after a shorter blip', async () => {
    const s = setup();
    await connected(s);
    const first = s.peers[0]!;
    to(first, 'disconnected');
    expect(s.states.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(DISCONNECTED_MS - 1_000);
    to(first, 'connected');
    await vi.advanceTimersByTimeAsync(DISCONNECTED_MS);
    expect(s.joins()).toBe(1);
    expect(s.states.at(-1)).toBe('connected');

    to(first, 'disconnected');
    await vi.advanceTimersByTimeAsync(DISCONNECTED_MS + 10);
    expect(s.joins()).toBe(2);
    expect(s.peers).toHaveLength(2);
  });

  it('tries again in growing windows while the network is down, then gives up', async () => {
    const s = setup();
    await connected(s);
    to(s.peers[0]!, 'failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(s.joins()).toBe(2);
    await vi.advanceTimersByTimeAsync(ATTEMPT_FIRST_MS + 10);
    expect(s.joins()).toBe(3);
    await vi.advanceTimersByTimeAsync(ATTEMPT_FIRST_MS + 10);
    expect(s.joins(), 'the second window is longer').toBe(3);
    await vi.advanceTimersByTimeAsync(ATTEMPT_FIRST_MS);
    expect(s.joins()).toBe(4);
    await vi.advanceTimersByTimeAsync(RECOVER_FOR_MS);
    expect(s.states.at(-1)).toBe('failed');
    const made = s.peers.length;
    await vi.advanceTimersByTimeAsync(RECOVER_FOR_MS);
    expect(s.peers).toHaveLength(made);
  });

  it('leaves a first connection that fails failed: nothing was lost, it never worked', async () => {
    const s = setup();
    await s.session.join([track('audio')]);
    await s.session.handle(answer('server-answer-1'));
    to(s.peers[0]!, 'failed');
    await vi.advanceTimersByTimeAsync(RECOVER_FOR_MS);
    expect(s.states.at(-1)).toBe('failed');
    expect(s.joins()).toBe(1);
  });

  it("leaves a move's rejoin under way alone, and stops when the call is left", async () => {
    const s = setup();
    await connected(s);
    await s.session.handle({ type: 'call.moved', call_id: 7, data: { reason: 'home_lost' } });
    expect(s.joins()).toBe(2);
    to(s.peers[1]!, 'failed');
    await vi.advanceTimersByTimeAsync(ATTEMPT_FIRST_MS);
    expect(s.joins(), 'the move retries by itself').toBe(2);
    s.session.leave();
    await vi.advanceTimersByTimeAsync(RECOVER_FOR_MS);
    expect(s.joins()).toBe(2);
  });

  it('keeps trying when the socket to the server is down too, without an error', async () => {
    let up = false;
    const peers: FakePeer[] = [];
    const errors: string[] = [];
    const session = new CallSession({
      callId: 7,
      send: () => up,
      createPeer: () => {
        const p = new FakePeer();
        peers.push(p);
        return p;
      },
      onError: (code) => errors.push(code),
      now: () => Date.now(),
    });
    up = true;
    await session.join([track('audio')]);
    await session.handle(answer('server-answer-1'));
    to(peers[0]!, 'connected');
    up = false;
    to(peers[0]!, 'failed');
    await vi.advanceTimersByTimeAsync(ATTEMPT_FIRST_MS + 10);
    expect(peers).toHaveLength(3);
    expect(errors).toEqual([]);
    expect(session.state).toBe('reconnecting');
  });
});

describe('MediaRecovery', () => {
  it('widens each window up to a cap and gives up RECOVER_FOR_MS after the loss', () => {
    const r = new MediaRecovery();
    const windows = [0, 1, 2, 3, 4].map(() => r.attempt(0));
    expect(windows).toEqual([ATTEMPT_FIRST_MS, 2 * ATTEMPT_FIRST_MS, ATTEMPT_MAX_MS, ATTEMPT_MAX_MS, ATTEMPT_MAX_MS]);
    expect(r.attempt(RECOVER_FOR_MS)).toBeNull();
    r.settled();
    expect(r.recovering).toBe(false);
    expect(r.attempt(RECOVER_FOR_MS)).toBe(ATTEMPT_FIRST_MS);
  });
});

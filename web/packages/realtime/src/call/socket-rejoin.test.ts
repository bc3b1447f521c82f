import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallSession, type CallClientFrame } from './session';
import { FakePeer } from './fake-peer';

// The WebSocket was lost and connected again (a phone switching from Wi-Fi to 4G): the server
// took the session's participant out of the room when the old socket closed, so a session still
// in its call joins again through the new socket.

function setup() {
  const peers: FakePeer[] = [];
  const sent: CallClientFrame[] = [];
  const states: string[] = [];
  let socketUp = true;
  const session = new CallSession({
    callId: 7,
    send: (f) => socketUp && (sent.push(f), true),
    createPeer: () => {
      const p = new FakePeer();
      peers.push(p);
      return p;
    },
    onState: (s) => states.push(s),
    now: () => Date.now(),
  });
  const joins = () => sent.filter((f) => f.type === 'call.join').length;
  const socket = (up: boolean) => (socketUp = up);
  return { session, peers, sent, states, joins, socket };
}

const track = (kind: string) => ({ kind }) as MediaStreamTrack;
const answer = (sdp: string) => ({ type: 'call.answer', call_id: 7, data: { sdp } });

function to(peer: FakePeer, state: RTCPeerConnectionState) {
  peer.connectionState = state;
  peer.emit('connectionstatechange');
}

describe('a socket that connected again', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('makes a session in its call join again on a new peer connection through the new socket', async () => {
    const s = setup();
    await s.session.join([track('audio'), track('video')]);
    await s.session.handle(answer('a1'));
    to(s.peers[0]!, 'connected');
    s.socket(false);
    s.socket(true);
    await s.session.socketReopened();
    expect(s.peers[0]!.closed).toBe(true);
    expect(s.peers).toHaveLength(2);
    expect(s.joins()).toBe(2);
    expect(s.states.at(-1)).toBe('reconnecting');
    await s.session.handle(answer('a2'));
    to(s.peers[1]!, 'connected');
    expect(s.states.at(-1)).toBe('connected');
  });

  it('counts as a move: a repeated call.moved right after is the same rejoin', async () => {
    const s = setup();
    await s.session.join([track('audio')]);
    await s.session.handle(answer('a1'));
    to(s.peers[0]!, 'connected');
    await s.session.socketReopened();
    await s.session.handle({ type: 'call.moved', call_id: 7, data: { reason: 'home_lost' } });
    expect(s.joins()).toBe(2);
  });

  it('retries a join the node refuses for now (media_unavailable)', async () => {
    const s = setup();
    await s.session.join([track('audio')]);
    await s.session.handle(answer('a1'));
    to(s.peers[0]!, 'connected');
    await s.session.socketReopened();
    await s.session.handle({ type: 'call.error', call_id: 7, data: { code: 'media_unavailable', message: 'later' } });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(s.joins()).toBe(3);
  });

  it('leaves a session not in a call alone: before its join, after it left or gave up', async () => {
    const idle = setup();
    await idle.session.socketReopened();
    expect(idle.sent).toEqual([]);

    const left = setup();
    await left.session.join([track('audio')]);
    left.session.leave();
    await left.session.socketReopened();
    expect(left.joins()).toBe(1);

    const failed = setup();
    await failed.session.join([track('audio')]);
    await failed.session.handle(answer('a1'));
    to(failed.peers[0]!, 'failed'); // never connected: a setup problem, not recovered
    await failed.session.socketReopened();
    expect(failed.joins()).toBe(1);
  });
});

describe('the other side reconnecting (call.peer)', () => {
  it('is away from lost until back, told once per change, and only for this call', async () => {
    const seen: boolean[] = [];
    const session = new CallSession({ callId: 7, send: () => true, createPeer: () => new FakePeer(), onPeerAway: (a) => seen.push(a) });
    const peer = (state: string, call = 7) => session.handle({ type: 'call.peer', call_id: call, data: { side: 'visitor', state } });
    expect(session.peerAway).toBe(false);
    await peer('lost');
    expect(session.peerAway).toBe(true);
    await peer('lost'); // a repeat changes nothing
    await peer('back', 8); // another call's
    await peer('weird'); // a state this build does not know
    expect(session.peerAway).toBe(true);
    await peer('back');
    expect(session.peerAway).toBe(false);
    expect(seen).toEqual([true, false]);
  });
});

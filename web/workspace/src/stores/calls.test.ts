import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { callsApi } from '../api/calls';
import type { CallView } from '../api/types';
import { useCallsStore } from './calls';
import { useConversationsStore } from './conversations';
import { useSessionStore } from './session';
import { conversation } from './testing';
import { reportWarning } from '../app/feedback';

vi.mock('../app/feedback', () => ({ reportWarning: vi.fn(), reportError: vi.fn(), reportSuccess: vi.fn() }));

vi.mock('../api/calls', () => ({
  callsApi: { start: vi.fn(), accept: vi.fn(), decline: vi.fn(), hangup: vi.fn(), iceServers: vi.fn(), media: vi.fn(), get: vi.fn(), snapshot: vi.fn(), recording: vi.fn() },
}));

/** Stands in for CallSession: records what the store asks of it. */
const sessions: FakeSession[] = [];
class FakeSession {
  joined: string[] = [];
  frames: unknown[] = [];
  left = false;
  constructor(readonly opts: { callId: number; send: (f: unknown) => boolean; onReplaced?: () => void }) {
    sessions.push(this);
  }
  get callId() {
    return this.opts.callId;
  }
  async join(tracks: { kind: string }[], receive: string[]) {
    this.joined = [...tracks.map((t) => t.kind), ...receive.map((k) => `recv:${k}`)];
    this.opts.send({ type: 'call.join', call_id: this.opts.callId, sdp: 'offer', screen_mids: [] });
  }
  async handle(f: unknown) {
    this.frames.push(f);
  }
  leave() {
    this.left = true;
  }
}

const tracks = () => {
  const list = [
    { kind: 'audio', enabled: true, stopped: false, stop() { this.stopped = true; } },
    { kind: 'video', enabled: true, stopped: false, stop() { this.stopped = true; } },
  ];
  return list;
};
let lastTracks: ReturnType<typeof tracks> = [];

vi.mock('@kefu/realtime/call', () => ({
  CallSession: vi.fn().mockImplementation(function (this: unknown, opts: { callId: number; send: (f: unknown) => boolean }) {
    return new FakeSession(opts);
  }),
  exposeCallForTests: vi.fn(),
  watchNetwork: vi.fn(() => () => {}),
  openLocalMedia: vi.fn(async () => {
    lastTracks = tracks();
    return {
      getTracks: () => lastTracks,
      getAudioTracks: () => lastTracks.filter((t) => t.kind === 'audio'),
      getVideoTracks: () => lastTracks.filter((t) => t.kind === 'video'),
    };
  }),
  stopStream: (s: { getTracks(): { stop(): void }[] } | null) => s?.getTracks().forEach((t) => t.stop()),
}));

class FakeMediaStream {
  #tracks: unknown[];
  constructor(t: unknown[] = []) {
    this.#tracks = [...t];
  }
  getTracks() {
    return this.#tracks;
  }
  addTrack(t: unknown) {
    this.#tracks.push(t);
  }
  removeTrack() {}
}

const api = vi.mocked(callsApi);
const call = (over: Partial<CallView> = {}): CallView => ({
  id: 9,
  conversation_id: 1,
  media: 'video',
  status: 'ringing',
  started_by: 'visitor',
  started_at: '2026-11-30T20:00:00Z',
  answered_at: null,
  ended_at: null,
  end_reason: null,
  recording_policy: 'off',
  recording: 'off',
  local_recording: false,
  ...over,
});
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  vi.clearAllMocks();
  sessions.length = 0;
  vi.stubGlobal('MediaStream', FakeMediaStream);
  setActivePinia(createPinia());
  useSessionStore().user = { id: 5, email: 'a@x', name: 'A', role: 'agent', must_change_password: false };
  useConversationsStore().upsertConversation(conversation({ id: 1, agent_id: 5, status: 'assigned' }));
  api.iceServers.mockResolvedValue([]);
  api.media.mockResolvedValue({ iceServers: [], capture: { width: 1280, height: 720 }, clientRecording: false });
});

describe('calls store', () => {
  it('shows a ringing call from the visitor as incoming, and not once declined', async () => {
    const calls = useCallsStore();
    calls.apply(call());
    expect(calls.incoming.map((c) => c.id)).toEqual([9]);
    // Another agent's conversation, or a call I started, does not ring here.
    useConversationsStore().upsertConversation(conversation({ id: 2, agent_id: 6 }));
    calls.apply(call({ id: 10, conversation_id: 2 }));
    expect(calls.incoming.map((c) => c.id)).toEqual([9]);
    api.decline.mockResolvedValue(call({ status: 'ended', end_reason: 'declined' }));
    await calls.decline(9);
    expect(calls.incoming).toEqual([]);
    expect(calls.callOf(1)?.end_reason).toBe('declined');
  });

  it('accepting opens the devices, then joins the media when the call is active', async () => {
    const sent: unknown[] = [];
    const calls = useCallsStore();
    calls.setSender((f) => sent.push(f) > 0);
    calls.apply(call());
    api.accept.mockResolvedValue(call({ status: 'active', answered_at: '2026-11-30T20:00:05Z' }));
    await calls.accept(9);
    await flush();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.joined).toEqual(['audio', 'video']);
    expect(sent).toEqual([{ type: 'call.join', call_id: 9, sdp: 'offer', screen_mids: [] }]);
    expect(calls.mine).toMatchObject({ callId: 9, conversationId: 1, media: 'video' });
    // Signalling reaches the session.
    calls.signal({ type: 'call.answer', call_id: 9, data: { sdp: 'answer' } });
    expect(sessions[0]!.frames).toHaveLength(1);
  });

  it('joins at once when the call of a video-service conversation arrives active', async () => {
    const calls = useCallsStore();
    calls.apply(call({ status: 'active', started_by: 'visitor' }));
    await flush();
    expect(sessions).toHaveLength(1);
    expect(calls.mine?.callId).toBe(9);
  });

  it('an ended call leaves the media and lets go of camera and microphone', async () => {
    const calls = useCallsStore();
    calls.apply(call({ status: 'active' }));
    await flush();
    calls.setMuted(true);
    expect(lastTracks.find((t) => t.kind === 'audio')?.enabled).toBe(false);
    expect(calls.mine?.muted).toBe(true);
    calls.apply(call({ status: 'ended', end_reason: 'hangup' }));
    expect(sessions[0]!.left).toBe(true);
    expect(calls.mine).toBeNull();
    expect(lastTracks.every((t) => t.stopped)).toBe(true);
  });

  it('another tab taking my call (call.replaced) releases the media here, and this tab does not join it again', async () => {
    const calls = useCallsStore();
    calls.apply(call({ status: 'active' }));
    await flush();
    sessions[0]!.opts.onReplaced!();
    expect(calls.mine).toBeNull();
    expect(lastTracks.every((t) => t.stopped)).toBe(true);
    expect(reportWarning).toHaveBeenCalledTimes(1);
    calls.apply(call({ status: 'active', recording: 'recording' }));
    await flush();
    expect(sessions).toHaveLength(1);
  });

  it('call.ended (the answer to a join of a call that ended meanwhile) ends my call like its call.updated', async () => {
    const calls = useCallsStore();
    calls.apply(call({ status: 'active' }));
    await flush();
    calls.signal({ type: 'call.ended', call_id: 9, data: call({ status: 'ended', end_reason: 'failed' }) });
    expect(sessions[0]!.left).toBe(true);
    expect(sessions[0]!.frames).toHaveLength(0);
    expect(calls.mine).toBeNull();
    expect(calls.callOf(1)?.end_reason).toBe('failed');
    expect(reportWarning).not.toHaveBeenCalled();
  });

  it('hang-up ends the call through the server and releases the media on its answer', async () => {
    const calls = useCallsStore();
    calls.apply(call({ status: 'active' }));
    await flush();
    api.hangup.mockResolvedValue(call({ status: 'ended', end_reason: 'hangup' }));
    await calls.hangup(9);
    expect(api.hangup).toHaveBeenCalledWith(9);
    expect(calls.mine).toBeNull();
  });

  it('pausing the recording of my call keeps the call and shows its new state', async () => {
    const calls = useCallsStore();
    calls.apply(call({ status: 'active', recording_policy: 'always', recording: 'recording' }));
    await flush();
    api.recording.mockResolvedValue(call({ status: 'active', recording_policy: 'always', recording: 'paused' }));
    await calls.recording('pause');
    expect(api.recording).toHaveBeenCalledWith(9, 'pause');
    expect(calls.callOf(1)?.recording).toBe('paused');
    expect(calls.mine?.callId).toBe(9);
  });

  it('ignores late news of an older call', () => {
    const calls = useCallsStore();
    calls.apply(call({ id: 12, status: 'ringing' }));
    calls.apply(call({ id: 9, status: 'ended' }));
    expect(calls.callOf(1)?.id).toBe(12);
  });

  it('never goes back: a stale copy of the same call is ignored', async () => {
    const calls = useCallsStore();
    calls.apply(call({ status: 'ended', end_reason: 'missed' }));
    calls.apply(call({ status: 'ringing' }));
    expect(calls.callOf(1)?.status).toBe('ended');
    expect(calls.incoming).toEqual([]);
  });

  it('takes the open call from a conversation snapshot, so a cursor moved past its event loses nothing', async () => {
    const calls = useCallsStore();
    const withCall = { ...conversation({ id: 1, agent_id: 5, last_seq: 9 }), call: call({ status: 'active' }) };
    useConversationsStore().upsertConversation(withCall);
    await flush();
    expect(calls.mine?.callId).toBe(9);
  });

  it('joins a call that was active before its conversation became mine', async () => {
    const calls = useCallsStore();
    const conversations = useConversationsStore();
    conversations.upsertConversation(conversation({ id: 3, status: 'offered', agent_id: null, last_seq: 2 }));
    calls.apply(call({ id: 11, conversation_id: 3, status: 'active' }));
    await flush();
    expect(sessions).toHaveLength(0);
    conversations.upsertConversation(conversation({ id: 3, status: 'assigned', agent_id: 5, last_seq: 3 }));
    await flush();
    expect(calls.mine?.callId).toBe(11);
  });

  it('capture asks the server for a snapshot of my call and waits until it arrives', async () => {
    const calls = useCallsStore();
    await calls.snapshot();
    expect(api.snapshot).not.toHaveBeenCalled(); // not in a call
    calls.apply(call({ status: 'active' }));
    await flush();
    api.snapshot.mockResolvedValue({ request_id: 'r1' });
    await calls.snapshot();
    expect(api.snapshot).toHaveBeenCalledWith(9);
    expect(calls.snapshotPending).toBe('r1');
    await calls.snapshot();
    expect(api.snapshot).toHaveBeenCalledTimes(1); // one at a time
    calls.snapshotArrived(8); // another call's snapshot
    expect(calls.snapshotPending).toBe('r1');
    calls.snapshotArrived(9);
    expect(calls.snapshotPending).toBeNull();
  });

  it('a snapshot that arrives before the request is answered frees the button all the same', async () => {
    const calls = useCallsStore();
    calls.apply(call({ status: 'active' }));
    await flush();
    let answer: (v: { request_id: string }) => void = () => {};
    api.snapshot.mockReturnValue(new Promise((r) => (answer = r)));
    const asked = calls.snapshot();
    expect(calls.snapshotPending).not.toBeNull(); // busy from the click
    calls.snapshotArrived(9); // the customer's device was quicker than the REST answer
    answer({ request_id: 'r3' });
    await asked;
    expect(calls.snapshotPending).toBeNull();
  });

  it('a snapshot that never comes frees the button after the request expires, and so does the end of the call', async () => {
    vi.useFakeTimers();
    try {
      const calls = useCallsStore();
      calls.apply(call({ status: 'active' }));
      await vi.advanceTimersByTimeAsync(0);
      api.snapshot.mockResolvedValue({ request_id: 'r2' });
      await calls.snapshot();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls.snapshotPending).toBeNull();
      await calls.snapshot();
      expect(calls.snapshotPending).toBe('r2');
      calls.apply(call({ status: 'ended', end_reason: 'hangup' }));
      expect(calls.snapshotPending).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

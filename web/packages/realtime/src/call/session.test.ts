import { describe, expect, it } from 'vitest';
import { CallSession, cameraEncodings, trackSource, type CallClientFrame } from './session';
import { FakePeer, FakeTrack } from './fake-peer';
import { cameraCount, deviceProblem, mediaConstraints, nextCameraId, openCamera, openLocalMedia, DeviceError } from './devices';

/** A fake socket: what the session sent, and whether it is up. */
function setup(opts: { up?: boolean } = {}) {
  const peer = new FakePeer();
  const sent: CallClientFrame[] = [];
  const errors: string[] = [];
  const states: string[] = [];
  const tracks: string[] = [];
  const replaced: number[] = [];
  const session = new CallSession({
    callId: 7,
    send: (f) => {
      if (opts.up === false) return false;
      sent.push(f);
      return true;
    },
    createPeer: () => peer,
    onError: (code) => errors.push(code),
    onState: (s) => states.push(s),
    onTrack: (t, source) => tracks.push(source === 'screen' ? 'screen' : t.kind),
    onTrackEnded: (t) => tracks.push(`ended ${t.kind}`),
    onScreenEnded: () => tracks.push('own screen ended'),
    onReplaced: () => replaced.push(1),
  });
  return { peer, sent, errors, states, tracks, session, replaced };
}

const track = (kind: string) => ({ kind }) as MediaStreamTrack;
const answer = (sdp: string) => ({ type: 'call.answer', call_id: 7, data: { sdp } });
const offer = (sdp: string) => ({ type: 'call.offer', call_id: 7, data: { sdp } });

describe('CallSession', () => {
  it('uses every ICE candidate type unless a browser test asks for relay only', () => {
    const configs: RTCConfiguration[] = [];
    const make = () =>
      new CallSession({
        callId: 1,
        send: () => true,
        iceServers: [{ urls: ['turn:127.0.0.1:3478'], username: '1:visitor-1', credential: 'c' }],
        createPeer: (c) => {
          configs.push(c);
          return new FakePeer();
        },
      });
    const w = globalThis as unknown as { __KEFU_TEST_HOOKS__?: unknown };
    make();
    w.__KEFU_TEST_HOOKS__ = true;
    make();
    w.__KEFU_TEST_HOOKS__ = { relayOnly: true };
    make();
    delete w.__KEFU_TEST_HOOKS__;
    expect(configs.map((c) => c.iceTransportPolicy)).toEqual(['all', 'all', 'relay']);
    expect(configs[0]!.iceServers).toEqual([{ urls: ['turn:127.0.0.1:3478'], username: '1:visitor-1', credential: 'c' }]);
  });

  it('joins with a sendrecv transceiver per local track and recvonly for the rest, then applies the answer', async () => {
    const { peer, sent, session, states } = setup();
    await session.join([track('audio'), track('video')], ['video']);
    expect(peer.transceivers).toEqual([
      { what: 'audio', direction: 'sendrecv' },
      { what: 'video', direction: 'sendrecv' },
      { what: 'video', direction: 'recvonly' },
    ]);
    expect(sent).toEqual([{ type: 'call.join', call_id: 7, sdp: 'client-offer-1', screen_mids: [] }]);
    expect(session.offerOut).toBe(true);
    await session.handle(answer('server-answer-1'));
    expect(peer.signalingState).toBe('stable');
    expect(session.offerOut).toBe(false);
    expect(states).toEqual(['joining', 'connecting']);
    peer.connectionState = 'connected';
    peer.emit('connectionstatechange');
    expect(session.state).toBe('connected');
  });

  it('publishes the camera in three simulcast layers and turns them on and off as call.layers says', async () => {
    const { peer, session } = setup();
    await session.join([track('audio'), track('video')]);
    const camera = peer.made[1]!;
    expect(camera.params.encodings.map((e) => [e.rid, e.scaleResolutionDownBy])).toEqual([
      ['l', 4],
      ['m', 2],
      ['h', 1],
    ]);
    // The lowest layer fits a 300 kbit/s link with audio, headers and loss repair.
    expect(camera.params.encodings[0]!.maxBitrate).toBeLessThanOrEqual(100_000);
    expect(peer.made[0]!.params.encodings).toEqual([]);
    expect(session.activeLayers()).toEqual(['l', 'm', 'h']);
    await session.handle({ type: 'call.layers', call_id: 7, data: { mid: camera.mid, active: ['l'], rids: ['l', 'm', 'h'] } });
    expect(session.activeLayers()).toEqual(['l']);
    await session.handle({ type: 'call.layers', call_id: 7, data: { mid: 'no-such-mid', active: [], rids: [] } });
    await session.handle({ type: 'call.layers', call_id: 7, data: { mid: camera.mid, active: ['l', 'm', 'h'], rids: ['l', 'm', 'h'] } });
    expect(session.activeLayers()).toEqual(['l', 'm', 'h']);
  });

  it("switches a phone's camera by replacing the published track: same transceiver, layers and no renegotiation", async () => {
    const { peer, sent, session } = setup();
    await session.join([track('audio'), track('video')]);
    await session.handle(answer('server-answer-1'));
    const back = track('video');
    await session.replaceCamera(back);
    expect(peer.made[1]!.track).toBe(back);
    expect(peer.made).toHaveLength(2);
    expect(sent).toHaveLength(1);
    expect(session.activeLayers()).toEqual(['l', 'm', 'h']);
    const voice = setup();
    await voice.session.join([track('audio')]);
    await expect(voice.session.replaceCamera(back)).rejects.toThrow('no camera');
  });

  it('keeps the previous camera when the new one gives the encoder no frames (a depth or infrared camera)', async () => {
    const { peer, session } = setup();
    const cameraTrack = () => ({ kind: 'video', enabled: true, readyState: 'live' }) as MediaStreamTrack;
    const front = cameraTrack();
    await session.join([track('audio'), front]);
    await session.handle(answer('server-answer-1'));
    const camera = peer.made[1]!;
    // The encoder counts frames only while a track that gives some is sent.
    let encoded = 0;
    const giving = new Set<unknown>([front]);
    const timer = setInterval(() => giving.has(camera.track) && (encoded += 1), 5);
    Object.assign(camera.sender, {
      track: undefined,
      getStats: async () => new Map([['o', { type: 'outbound-rtp', framesEncoded: encoded }]]) as unknown as RTCStatsReport,
    });
    Object.defineProperty(camera.sender, 'track', { get: () => camera.track });
    try {
      const depth = cameraTrack();
      expect(await session.replaceCamera(depth, 200, 10)).toBe(false);
      expect(camera.track).toBe(front);
      const back = cameraTrack();
      giving.add(back);
      expect(await session.replaceCamera(back, 200, 10)).toBe(true);
      expect(camera.track).toBe(back);
      expect(peer.made).toHaveLength(2);
    } finally {
      clearInterval(timer);
    }
  });

  it('does not take the previous camera\'s last frames, encoded once per layer, for the new one\'s', async () => {
    const { peer, session } = setup();
    const front = { kind: 'video', enabled: true, readyState: 'live' } as MediaStreamTrack;
    await session.join([track('audio'), front]);
    await session.handle(answer('server-answer-1'));
    const camera = peer.made[1]!;
    // Three layers; after the switch two frames still in the pipeline reach each of them.
    let stale = 0;
    Object.assign(camera.sender, {
      getStats: async () => {
        const frames = 100 + Math.min(stale++, 2);
        return new Map(['l', 'm', 'h'].map((rid) => [rid, { type: 'outbound-rtp', rid, framesEncoded: frames }])) as unknown as RTCStatsReport;
      },
    });
    Object.defineProperty(camera.sender, 'track', { get: () => camera.track });
    const depth = { kind: 'video', enabled: true, readyState: 'live' } as MediaStreamTrack;
    expect(await session.replaceCamera(depth, 200, 10)).toBe(false);
    expect(camera.track).toBe(front);
  });

  it('asks the camera for the capture size the deployment sets, with a higher top layer for 1080p', async () => {
    const peer = new FakePeer();
    const asked: MediaTrackConstraints[] = [];
    const camera = { kind: 'video', applyConstraints: async (c: MediaTrackConstraints) => void asked.push(c) } as unknown as MediaStreamTrack;
    const session = new CallSession({ callId: 7, send: () => true, createPeer: () => peer, capture: { width: 1920, height: 1080 } });
    await session.join([camera]);
    expect(asked).toEqual([{ width: { ideal: 1920 }, height: { ideal: 1080 } }]);
    expect(cameraEncodings({ width: 1920, height: 1080 })[2]!.maxBitrate).toBeGreaterThan(cameraEncodings()[2]!.maxBitrate!);
  });

  it('answers a server offer when stable', async () => {
    const { sent, session } = setup();
    await session.join([track('audio')]);
    await session.handle(answer('a1'));
    await session.handle(offer('server-offer-1'));
    expect(sent.at(-1)).toEqual({ type: 'call.answer', call_id: 7, sdp: 'client-answer-to-server-offer-1' });
  });

  it('queues a server offer that arrives while its own offer is out and applies it right after the answer', async () => {
    const { peer, sent, session, errors } = setup();
    await session.join([track('audio')]);
    await session.handle(offer('early-offer'));
    // Not applied (that would be glare), not answered yet, not dropped.
    expect(peer.log).toEqual(['local offer client-offer-1']);
    expect(sent).toHaveLength(1);
    await session.handle(answer('a1'));
    expect(peer.log).toEqual([
      'local offer client-offer-1',
      'remote answer a1',
      'remote offer early-offer',
      'local answer client-answer-to-early-offer',
    ]);
    expect(sent.at(-1)).toEqual({ type: 'call.answer', call_id: 7, sdp: 'client-answer-to-early-offer' });
    expect(errors).toEqual([]);
  });

  it('keeps only the newest of several queued server offers', async () => {
    const { sent, session } = setup();
    await session.join([track('audio')]);
    await session.handle(offer('o1'));
    await session.handle(offer('o2'));
    await session.handle(answer('a1'));
    expect(sent.filter((f) => f.type === 'call.answer').map((f) => (f as { sdp: string }).sdp)).toEqual(['client-answer-to-o2']);
  });

  it('queues an offer that arrives while the join is still being prepared', async () => {
    const { peer, session, errors } = setup();
    const joining = session.join([track('audio')]);
    const early = session.handle(offer('o1')); // before createOffer has resolved
    await Promise.all([joining, early]);
    expect(peer.signalingState).toBe('have-local-offer');
    await session.handle(answer('a1'));
    expect(peer.log.at(-1)).toBe('local answer client-answer-to-o1');
    expect(errors).toEqual([]);
  });

  it('renegotiates only when stable: a request during an exchange waits for it', async () => {
    const { sent, session } = setup();
    await session.join([track('audio')]);
    await session.renegotiate(); // our join is out: must wait
    expect(sent.map((f) => f.type)).toEqual(['call.join']);
    await session.handle(answer('a1'));
    expect(sent.map((f) => f.type)).toEqual(['call.join', 'call.renegotiate']);
    expect(sent[1]).toEqual({ type: 'call.renegotiate', call_id: 7, sdp: 'client-offer-2', screen_mids: [] });
    await session.handle(answer('a2'));
    expect(session.offerOut).toBe(false);
  });

  it('applies a queued server offer before its own pending renegotiation', async () => {
    const { sent, session, errors } = setup();
    await session.join([track('audio')]);
    await session.renegotiate();
    await session.handle(offer('o1'));
    await session.handle(answer('a1'));
    expect(sent.map((f) => f.type)).toEqual(['call.join', 'call.answer', 'call.renegotiate']);
    expect(errors).toEqual([]);
  });

  it('ignores frames of other calls and stray answers', async () => {
    const { peer, session, sent } = setup();
    await session.join([track('audio')]);
    await session.handle({ type: 'call.answer', call_id: 8, data: { sdp: 'x' } });
    expect(peer.signalingState).toBe('have-local-offer');
    await session.handle(answer('a1'));
    await session.handle(answer('a1-again'));
    expect(peer.log.filter((l) => l.startsWith('remote answer'))).toEqual(['remote answer a1']);
    expect(sent).toHaveLength(1);
  });

  it('reports call.error and a down socket', async () => {
    const down = setup({ up: false });
    await down.session.join([track('audio')]);
    expect(down.errors).toEqual(['webrtc']);
    expect(down.session.offerOut).toBe(false);
    const { session, errors } = setup();
    await session.handle({ type: 'call.error', call_id: 7, data: { code: 'call_not_active', message: 'no' } });
    expect(errors).toEqual(['call_not_active']);
  });

  it('leaves once: call.leave, the connection closed, later frames ignored', async () => {
    const { peer, sent, session } = setup();
    await session.join([track('audio')]);
    session.leave();
    session.leave();
    expect(sent.map((f) => f.type)).toEqual(['call.join', 'call.leave']);
    expect(peer.closed).toBe(true);
    await session.handle(answer('a1'));
    expect(peer.log).toEqual(['local offer client-offer-1']);
    expect(session.state).toBe('left');
  });

  it('closes quietly when a newer socket of ours took the call: no call.leave, no error, no rejoin on a reopened socket', async () => {
    const { peer, sent, errors, session, replaced } = setup();
    await session.join([track('audio')]);
    await session.handle({ type: 'call.replaced', call_id: 7, data: { reason: 'joined_elsewhere' } });
    expect(session.state).toBe('left');
    expect(peer.closed).toBe(true);
    expect(replaced.length).toBe(1);
    await session.socketReopened();
    await session.handle({ type: 'call.replaced', call_id: 7, data: { reason: 'joined_elsewhere' } });
    expect(sent.map((f) => f.type)).toEqual(['call.join']);
    expect(errors).toEqual([]);
    expect(replaced.length).toBe(1);
  });

  it('passes on the tracks the SFU forwards, not the silent receive side of our own transceivers', () => {
    const { peer, tracks } = setup();
    peer.emit('track', { track: track('video'), streams: [] });
    peer.emit('track', { track: track('video'), streams: [{ id: 'a1b2', addEventListener() {} }] });
    expect(tracks).toEqual([]);
    peer.emit('track', { track: track('video'), streams: [{ id: 'kefu-camera-4', addEventListener() {} }] });
    expect(tracks).toEqual(['video']);
  });

  it('shares a screen: a sendonly transceiver whose mid goes out in screen_mids, then stops it', async () => {
    const { peer, sent, session, tracks } = setup();
    await session.join([track('audio'), track('video')]);
    await session.handle(answer('a1'));
    const screen = new FakeTrack('video') as unknown as MediaStreamTrack;
    await session.shareScreen(screen);
    expect(session.sharing).toBe(true);
    expect(peer.transceivers.at(-1)).toEqual({ what: 'video', direction: 'sendonly' });
    expect(sent.at(-1)).toEqual({ type: 'call.renegotiate', call_id: 7, sdp: 'client-offer-2', screen_mids: ['2'] });
    await session.handle(answer('a2'));

    // Stopped here: the m-line goes inactive (the server unpublishes it), the track is stopped.
    await session.stopScreen();
    expect(session.sharing).toBe(false);
    expect(peer.made[2]!.direction).toBe('inactive');
    expect(peer.made[2]!.track).toBeNull();
    expect((screen as unknown as FakeTrack).readyState).toBe('ended');
    expect(sent.at(-1)).toMatchObject({ type: 'call.renegotiate', sdp: 'client-offer-3', screen_mids: ['2'] });
    expect(tracks).toEqual(['own screen ended']);
  });

  it("shares a screen with its sound: two sendonly transceivers, both in screen_mids; stopping (or the browser's stop) ends both", async () => {
    const { peer, sent, session, tracks } = setup();
    await session.join([track('audio'), track('video')]);
    await session.handle(answer('a1'));
    const screen = new FakeTrack('video');
    const sound = new FakeTrack('audio');
    await session.shareScreen(screen as unknown as MediaStreamTrack, sound as unknown as MediaStreamTrack);
    expect(session.sharing).toBe(true);
    expect(session.sharingSound).toBe(true);
    expect(peer.transceivers.slice(-2)).toEqual([
      { what: 'video', direction: 'sendonly' },
      { what: 'audio', direction: 'sendonly' },
    ]);
    expect(sent.at(-1)).toEqual({ type: 'call.renegotiate', call_id: 7, sdp: 'client-offer-2', screen_mids: ['2', '3'] });
    await session.handle(answer('a2'));

    // The browser's "stop sharing" ends the picture: the sound stops with it.
    screen.endByBrowser();
    await session.renegotiate();
    expect(session.sharing).toBe(false);
    expect(session.sharingSound).toBe(false);
    expect(sound.readyState).toBe('ended');
    expect([peer.made[2]!.direction, peer.made[3]!.direction]).toEqual(['inactive', 'inactive']);
    expect([peer.made[2]!.track, peer.made[3]!.track]).toEqual([null, null]);
    expect(sent.at(-1)).toMatchObject({ type: 'call.renegotiate', screen_mids: ['2', '3'] });
    expect(tracks).toEqual(['own screen ended']);
  });

  it("tells the other side's shared sound from its microphone by the server's stream id", () => {
    expect(trackSource({ kind: 'audio' } as MediaStreamTrack, ['kefu-screen-audio-4'])).toBe('screen-audio');
    expect(trackSource({ kind: 'audio' } as MediaStreamTrack, ['kefu-audio-3'])).toBe('audio');
    expect(trackSource({ kind: 'video' } as MediaStreamTrack, ['kefu-screen-5'])).toBe('screen');
  });

  it("stops sharing when the browser's own stop button ends the screen track", async () => {
    const { peer, sent, session } = setup();
    await session.join([track('audio')]);
    await session.handle(answer('a1'));
    const screen = new FakeTrack('video');
    await session.shareScreen(screen as unknown as MediaStreamTrack);
    await session.handle(answer('a2'));
    screen.endByBrowser();
    await session.renegotiate(); // waits for the chain the ended track started
    expect(session.sharing).toBe(false);
    expect(peer.made[1]!.direction).toBe('inactive');
    expect(sent.filter((f) => f.type === 'call.renegotiate')).toHaveLength(2);
  });

  it('shares a screen asked for while the join is out once its answer is in; a second share gets its own mid', async () => {
    const { sent, session } = setup();
    await session.join([track('audio')]);
    const first = session.shareScreen(new FakeTrack('video') as unknown as MediaStreamTrack);
    expect(sent.map((f) => f.type)).toEqual(['call.join']);
    await session.handle(answer('a1'));
    await first;
    expect(sent.at(-1)).toMatchObject({ type: 'call.renegotiate', screen_mids: ['1'] });
    await session.handle(answer('a2'));
    await session.stopScreen();
    await session.handle(answer('a3'));
    await session.shareScreen(new FakeTrack('video') as unknown as MediaStreamTrack);
    // The stopped m-line stays a screen for the server; the new one is added.
    expect(sent.at(-1)).toMatchObject({ type: 'call.renegotiate', screen_mids: ['1', '2'] });
  });

  it("tells a remote screen from a camera by the server's stream id, and reports it ended", async () => {
    const { peer, session, tracks } = setup();
    await session.join([track('audio')]);
    await session.handle(answer('a1'));
    const stream = new EventTarget() as EventTarget & { id: string };
    stream.id = 'kefu-screen-9';
    const remoteScreen = new FakeTrack('video');
    peer.emit('track', { track: remoteScreen, streams: [stream] });
    peer.emit('track', { track: track('video'), streams: [{ id: 'kefu-camera-3', addEventListener() {} }] });
    expect(tracks).toEqual(['screen', 'video']);
    // The server's offer stops the screen's m-line: the track has ended after it is applied.
    remoteScreen.stop();
    await session.handle(offer('server-offer-stop'));
    expect(tracks).toEqual(['screen', 'video', 'ended video']);
    expect(trackSource({ kind: 'audio' } as MediaStreamTrack, ['kefu-screen-1'])).toBe('audio');
  });
});

describe('devices', () => {
  it('asks for echo cancellation, noise suppression and auto gain explicitly', () => {
    expect(mediaConstraints('video')).toEqual({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: { width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    expect(mediaConstraints('voice').video).toBe(false);
  });

  it('names the problem behind a getUserMedia failure', () => {
    expect(deviceProblem('NotAllowedError', 'video')).toBe('denied');
    expect(deviceProblem('NotFoundError', 'video', { camera: false, microphone: true })).toBe('no_camera');
    expect(deviceProblem('NotFoundError', 'video', { camera: true, microphone: false })).toBe('no_microphone');
    expect(deviceProblem('NotFoundError', 'voice')).toBe('no_microphone');
    expect(deviceProblem('NotReadableError', 'video')).toBe('in_use');
    expect(deviceProblem('Weird', 'video')).toBe('failed');
  });

  it('checks the devices before asking for them', async () => {
    const devices = (kinds: MediaDeviceKind[], gum: () => Promise<MediaStream>) =>
      ({
        enumerateDevices: async () => kinds.map((kind) => ({ kind }) as MediaDeviceInfo),
        getUserMedia: gum,
      }) as unknown as MediaDevices;
    const stream = {} as MediaStream;
    await expect(openLocalMedia('video', devices(['audioinput'], async () => stream))).rejects.toMatchObject({ problem: 'no_camera' });
    await expect(openLocalMedia('video', devices([], async () => stream))).rejects.toMatchObject({ problem: 'no_microphone' });
    await expect(openLocalMedia('voice', devices(['audioinput'], async () => stream))).resolves.toBe(stream);
    const refused = Object.assign(new Error('no'), { name: 'NotAllowedError' });
    await expect(openLocalMedia('video', devices(['audioinput', 'videoinput'], () => Promise.reject(refused)))).rejects.toBeInstanceOf(DeviceError);
    await expect(openLocalMedia('video', devices(['audioinput', 'videoinput'], () => Promise.reject(refused)))).rejects.toMatchObject({ problem: 'denied' });
    await expect(openLocalMedia('video', undefined)).rejects.toMatchObject({ problem: 'unsupported' });
  });

  it('opens the camera facing the other way at the capture size, and counts the cameras', async () => {
    const asked: MediaStreamConstraints[] = [];
    const back = { kind: 'video' } as MediaStreamTrack;
    const md = {
      enumerateDevices: async () => (['videoinput', 'videoinput', 'audioinput'] as MediaDeviceKind[]).map((kind) => ({ kind }) as MediaDeviceInfo),
      getUserMedia: async (c: MediaStreamConstraints) => {
        asked.push(c);
        return { getVideoTracks: () => [back] } as unknown as MediaStream;
      },
    } as unknown as MediaDevices;
    await expect(openCamera({ facing: 'environment' }, { width: 1920, height: 1080 }, md)).resolves.toBe(back);
    expect(asked[0]).toEqual({ video: { facingMode: { ideal: 'environment' }, width: { ideal: 1920 }, height: { ideal: 1080 } } });
    await openCamera({ deviceId: 'cam-b' }, undefined, md);
    expect(asked[1]).toEqual({ video: { deviceId: { exact: 'cam-b' }, width: { ideal: 1280 }, height: { ideal: 720 } } });
    expect(await cameraCount(md)).toBe(2);
    const refused = { getUserMedia: () => Promise.reject(Object.assign(new Error('busy'), { name: 'NotReadableError' })) } as unknown as MediaDevices;
    await expect(openCamera({ facing: 'user' }, undefined, refused)).rejects.toMatchObject({ problem: 'in_use' });
  });

  it('cycles to the next camera, and knows when there is no other', () => {
    expect(nextCameraId(['front', 'back'], 'front')).toBe('back');
    expect(nextCameraId(['front', 'back'], 'back')).toBe('front');
    expect(nextCameraId(['front', 'back'], undefined)).toBe('front');
    expect(nextCameraId(['front'], 'front')).toBeNull();
    expect(nextCameraId(['', ''], undefined)).toBeNull();
  });
});

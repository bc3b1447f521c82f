// One side of a call's media: an RTCPeerConnection to Kefu's SFU and the signalling of
// docs/calls (coord calls-protocol): the client offers first (`call.join`), the server answers;
// the server may later offer (`call.offer`) and the client answers (`call.answer`); the client may
// offer again (`call.renegotiate`) only when its signalling state is stable. An offer from the
// server that arrives while the client's own offer is out is queued and applied right after the
// answer, never dropped. No framework, no DOM: the peer connection is injected, so the state
// machine is tested with a fake.
//
// Screen share: a `sendonly` transceiver per share, its mid listed in `screen_mids` of the
// renegotiation (the server forwards it as a Screen track); stopping sets it `inactive` and
// renegotiates (the server unpublishes it). A fresh transceiver per share: the server learns a
// screen only when a new m-line appears. Remote tracks come with their source, read from the
// stream id the server gives them (`kefu-screen-*`, `kefu-camera-*`, `kefu-audio-*`).
//
// Simulcast: the camera is published in three layers (rids l, m, h: a quarter, half and full
// capture size). The SFU forwards each receiver the layer its bandwidth carries, and tells us with
// `call.layers` which layers anyone receives: the others are set `active: false` (the browser
// stops encoding them) until wanted again.
//
// A call whose media node died (cluster): the server sends `call.moved` and the call's room is
// open on a surviving node. The session then makes a new peer connection, publishes the same
// local tracks on it and sends `call.join` again (state `reconnecting` until media flows); a join
// refused with `media_unavailable` meanwhile is tried again a moment later (see rejoin.ts). A
// connection that drops (`disconnected`) also shows `reconnecting` until it recovers.

import { MediaRejoin } from './rejoin';
import { relayOnlyForTests } from './testing';

/** The part of RTCPeerConnection a CallSession uses (a real one satisfies it). */
export interface PeerLike {
  readonly signalingState: RTCSignalingState;
  readonly iceGatheringState: RTCIceGatheringState;
  readonly connectionState: RTCPeerConnectionState;
  readonly localDescription: RTCSessionDescription | RTCSessionDescriptionInit | null;
  addTransceiver(trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit): TransceiverLike;
  createOffer(): Promise<RTCSessionDescriptionInit>;
  createAnswer(): Promise<RTCSessionDescriptionInit>;
  setLocalDescription(d?: RTCSessionDescriptionInit): Promise<void>;
  setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void>;
  getStats(): Promise<RTCStatsReport>;
  close(): void;
  addEventListener(type: string, listener: (ev: never) => void): void;
}

/** The part of RTCRtpTransceiver a CallSession uses. */
export interface TransceiverLike {
  readonly mid: string | null;
  direction: RTCRtpTransceiverDirection;
  readonly currentDirection?: RTCRtpTransceiverDirection | null;
  readonly sender: {
    readonly track?: MediaStreamTrack | null;
    replaceTrack(track: MediaStreamTrack | null): Promise<void>;
    /** The sender's own stats (outbound-rtp per layer): tells whether its encoder gets frames. */
    getStats?(): Promise<RTCStatsReport>;
    getParameters?(): RTCRtpSendParameters;
    setParameters?(p: RTCRtpSendParameters): Promise<void>;
  };
}

/** The camera capture size the server asks for (720p, or 1080p where the deployment enables it). */
export interface CaptureSize {
  width: number;
  height: number;
}

/**
 * The camera's simulcast layers, lowest first: a quarter, half and full capture size, each capped
 * near the bitrate the SFU's allocator counts on for it. The lowest is what a weak link gets: at
 * 100 kbit/s it fits a 300 kbit/s mobile link with the audio (~40 kbit/s), packet headers
 * (~35 kbit/s at 320x180), the repair of a 5-10% loss and room for the estimate to swing (at
 * 150 kbit/s the SFU's estimate on such a link, 130-250 kbit/s, often did not carry it).
 */
export function cameraEncodings(capture: CaptureSize = { width: 1280, height: 720 }): RTCRtpEncodingParameters[] {
  const top = capture.height >= 1080 ? 2_500_000 : 1_500_000;
  return [
    { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 100_000 },
    { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
    { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: top },
  ];
}

/** Where a remote track comes from: the other side's microphone, camera or shared screen. */
export type TrackSource = 'audio' | 'camera' | 'screen';

/** The source of a remote track, from the stream id the server gave it. */
export function trackSource(track: MediaStreamTrack, streamIds: readonly string[]): TrackSource {
  if (track.kind === 'audio') return 'audio';
  return streamIds.some((id) => id.startsWith('kefu-screen-')) ? 'screen' : 'camera';
}

/** Client -> server frames of the contract. */
export type CallClientFrame =
  | { type: 'call.join'; call_id: number; sdp: string; screen_mids: string[] }
  | { type: 'call.renegotiate'; call_id: number; sdp: string; screen_mids: string[] }
  | { type: 'call.answer'; call_id: number; sdp: string }
  | { type: 'call.leave'; call_id: number };

/** Server -> client frames (ephemeral, no seq). */
export interface CallServerFrame {
  type: string;
  call_id?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data?: any;
}

/** Where the media stands, for the UI. */
export type CallMediaState = 'idle' | 'joining' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'left';

export interface CallSessionOptions {
  callId: number;
  /** Sends one frame on the WebSocket; false when the socket is down. */
  send: (frame: CallClientFrame) => boolean;
  /** Builds the peer connection (a real RTCPeerConnection by default). */
  createPeer?: (config: RTCConfiguration) => PeerLike;
  iceServers?: RTCIceServer[];
  /** Only TURN relay candidates (default: only when a browser test asks, see testing.ts). */
  relayOnly?: boolean;
  /** A remote track arrived (after an answer or a server offer), with its source. */
  onTrack?: (track: MediaStreamTrack, source: TrackSource) => void;
  /** A remote track went away (the other side stopped sharing its screen, or left). */
  onTrackEnded?: (track: MediaStreamTrack) => void;
  /** Our own screen share ended (stopped here, or by the browser's "stop sharing"). */
  onScreenEnded?: () => void;
  onState?: (state: CallMediaState) => void;
  /** A `call.error` from the server or a local WebRTC failure. */
  onError?: (code: string, message: string) => void;
  /** How long the first offer waits for ICE candidates to be gathered (no trickle in the contract). */
  gatherTimeoutMs?: number;
  /** The camera capture size (from the ice-servers route); 1280x720 when absent. */
  capture?: CaptureSize;
  /** Publish the camera in three simulcast layers (default true). */
  simulcast?: boolean;
  /** A new peer connection replaced the old one (after `call.moved`): watchers of `peer` follow it. */
  onPeer?: (peer: PeerLike) => void;
  /** The clock, for tests. */
  now?: () => number;
}

/** What the call receives besides what it sends: the other side's audio and video. */
export type ReceiveKind = 'audio' | 'video';

const DEFAULT_GATHER_TIMEOUT_MS = 2_000;

export class CallSession {
  readonly callId: number;
  #peer: PeerLike;
  readonly #config: RTCConfiguration;
  readonly #opts: CallSessionOptions;
  /** What `join` published and asked to receive: a rejoin on a new peer does the same. */
  #local: MediaStreamTrack[] = [];
  #receive: ReceiveKind[] = [];
  readonly #rejoin = new MediaRejoin();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #state: CallMediaState = 'idle';
  /** Our offer (join or renegotiate) is out and its answer has not been applied yet. */
  #offerOut = false;
  /** The latest server offer that arrived while ours was out; applied right after our answer. */
  #queuedOffer: string | null = null;
  /** A renegotiation asked for while not stable; made as soon as the state allows. */
  #renegotiateWanted = false;
  /** Every signalling step runs in this chain, one at a time, in arrival order. */
  #chain: Promise<void> = Promise.resolve();
  /** Every screen-share transceiver made here (stopped ones too: their mids stay screens). */
  readonly #screens: TransceiverLike[] = [];
  /** The screen being shared now, if any. */
  #sharing: { transceiver: TransceiverLike; track: MediaStreamTrack } | null = null;
  /** Remote tracks reported through onTrack and not yet reported ended. */
  readonly #remote = new Set<MediaStreamTrack>();
  /** The camera transceivers, whose simulcast layers `call.layers` turns on and off. */
  readonly #cameras: TransceiverLike[] = [];

  constructor(opts: CallSessionOptions) {
    this.#opts = opts;
    this.callId = opts.callId;
    this.#config = {
      iceServers: opts.iceServers ?? [],
      bundlePolicy: 'max-bundle',
      iceTransportPolicy: (opts.relayOnly ?? relayOnlyForTests()) ? 'relay' : 'all',
    };
    this.#peer = this.#makePeer();
  }

  /** The peer connection to the SFU (a new one after the call moved to another node). */
  get peer(): PeerLike {
    return this.#peer;
  }

  #makePeer(): PeerLike {
    const peer = (this.#opts.createPeer ?? ((c) => new RTCPeerConnection(c) as unknown as PeerLike))(this.#config);
    // A replaced peer's late events are not this call's any more.
    peer.addEventListener('track', ((ev: RTCTrackEvent) => {
      if (peer === this.#peer) this.#onTrack(ev);
    }) as (ev: never) => void);
    peer.addEventListener('connectionstatechange', (() => {
      if (peer === this.#peer) this.#onConnectionState();
    }) as (ev: never) => void);
    return peer;
  }

  get state(): CallMediaState {
    return this.#state;
  }

  /** Whether our offer is out (exposed for tests and diagnostics). */
  get offerOut(): boolean {
    return this.#offerOut;
  }

  /**
   * Publishes the local tracks (sendrecv) plus recvonly transceivers for the kinds we only
   * receive, makes the first offer and sends `call.join`.
   */
  join(local: MediaStreamTrack[], receive: ReceiveKind[] = []): Promise<void> {
    if (this.#state !== 'idle') return Promise.resolve();
    this.#setState('joining');
    this.#local = [...local];
    this.#receive = [...receive];
    this.#publish();
    return this.#run(async () => {
      await this.#offer('call.join', true);
    });
  }

  /** Adds the local tracks and the receive-only transceivers to the peer. */
  #publish(): void {
    const capture = this.#opts.capture;
    const local = this.#local;
    for (const track of local) {
      if (track.kind !== 'video') {
        this.peer.addTransceiver(track, { direction: 'sendrecv' });
        continue;
      }
      // The deployment's capture size (the pre-call check may have opened the camera at 720p).
      if (capture) void track.applyConstraints?.({ width: { ideal: capture.width }, height: { ideal: capture.height } }).catch(() => {});
      const init: RTCRtpTransceiverInit = { direction: 'sendrecv' };
      if (this.#opts.simulcast ?? true) init.sendEncodings = cameraEncodings(capture);
      this.#cameras.push(this.peer.addTransceiver(track, init));
    }
    for (const kind of this.#receive) this.peer.addTransceiver(kind, { direction: 'recvonly' });
  }

  /**
   * The call's media moved to another node (`call.moved`): a new peer connection with the same
   * local tracks joins it. The old connection's remote tracks end; a screen share stops (the
   * person shares again, nothing is shared behind their back).
   */
  async #moveTo(): Promise<void> {
    clearTimeout(this.#retryTimer);
    const old = this.#peer;
    this.#offerOut = false;
    this.#queuedOffer = null;
    this.#renegotiateWanted = false;
    this.#cameras.length = 0;
    this.#screens.length = 0;
    if (this.#sharing) {
      this.#sharing.track.stop();
      this.#sharing = null;
      this.#opts.onScreenEnded?.();
    }
    for (const track of [...this.#remote]) this.#remoteEnded(track);
    this.#peer = this.#makePeer();
    old.close();
    this.#setState('reconnecting');
    this.#opts.onPeer?.(this.#peer);
    this.#publish();
    await this.#offer('call.join', true);
  }

  /** Offers again (e.g. after adding a track); waits for a stable state if an exchange is going on. */
  renegotiate(): Promise<void> {
    this.#renegotiateWanted = true;
    return this.#run(() => this.#maybeRenegotiate());
  }

  /** Whether our screen is being shared. */
  get sharing(): boolean {
    return this.#sharing !== null;
  }

  /**
   * Shares a screen track (from getDisplayMedia): a new `sendonly` transceiver, announced in
   * `screen_mids` of the renegotiation. The browser's own "stop sharing" ends it too.
   */
  shareScreen(track: MediaStreamTrack): Promise<void> {
    if (this.#closed || this.#sharing) return Promise.resolve();
    const transceiver = this.peer.addTransceiver(track, { direction: 'sendonly' });
    this.#screens.push(transceiver);
    this.#sharing = { transceiver, track };
    track.addEventListener?.('ended', () => {
      if (this.#sharing?.track === track) void this.stopScreen();
    });
    return this.renegotiate();
  }

  /** Stops the screen share: the transceiver goes inactive and the server unpublishes it. */
  async stopScreen(): Promise<void> {
    const sharing = this.#sharing;
    if (!sharing) return;
    this.#sharing = null;
    sharing.track.stop();
    this.#opts.onScreenEnded?.();
    if (this.#closed) return;
    sharing.transceiver.direction = 'inactive';
    await sharing.transceiver.sender.replaceTrack(null).catch(() => {});
    await this.renegotiate();
  }

  /** Feeds one server frame; frames for other calls are ignored. Returns once it is applied. */
  handle(frame: CallServerFrame): Promise<void> {
    if (frame.call_id !== this.callId || this.#closed) return Promise.resolve();
    switch (frame.type) {
      case 'call.answer': {
        const sdp = frame.data?.sdp;
        if (typeof sdp !== 'string') return Promise.resolve();
        return this.#run(() => this.#applyAnswer(sdp));
      }
      case 'call.offer': {
        const sdp = frame.data?.sdp;
        if (typeof sdp !== 'string') return Promise.resolve();
        // Decided in the chain, after every earlier step: our offer may go out just before this.
        return this.#run(async () => {
          if (this.#offerOut) {
            // Rule 4 made robust: keep it (only the newest matters) and apply it after our answer.
            this.#queuedOffer = sdp;
            return;
          }
          await this.#applyOffer(sdp);
        });
      }
      case 'call.layers': {
        const mid = frame.data?.mid;
        const active = frame.data?.active;
        if (typeof mid !== 'string' || !Array.isArray(active)) return Promise.resolve();
        return this.#setLayers(mid, active.filter((r): r is string => typeof r === 'string'));
      }
      case 'call.moved': {
        // Before the first join nothing is published yet: that join finds the new node anyway.
        if (this.#state === 'idle' || !this.#rejoin.moved(this.#now())) return Promise.resolve();
        return this.#run(() => this.#moveTo());
      }
      case 'call.error': {
        const code = typeof frame.data?.code === 'string' ? frame.data.code : 'call_error';
        const message = typeof frame.data?.message === 'string' ? frame.data.message : code;
        const retryIn = this.#state === 'reconnecting' ? this.#rejoin.refused(code) : null;
        if (retryIn !== null) {
          // Our join reached a node that has not taken the call over yet: ask again shortly.
          this.#offerOut = false;
          clearTimeout(this.#retryTimer);
          this.#retryTimer = setTimeout(() => void this.#run(() => this.#moveTo()), retryIn);
          return Promise.resolve();
        }
        this.#opts.onError?.(code, message);
        return Promise.resolve();
      }
      default:
        return Promise.resolve();
    }
  }

  /** Leaves the media (the call itself ends through the REST hang-up) and closes the connection. */
  leave(): void {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    this.#sharing?.track.stop();
    this.#sharing = null;
    this.#opts.send({ type: 'call.leave', call_id: this.callId });
    this.peer.close();
    this.#setState('left');
  }

  /**
   * Sends `track` in place of the published camera (a phone's front/back switch): the same
   * transceiver and simulcast layers, so nothing is renegotiated and the other side's picture
   * just changes. Make before break: the new track is sent only once its frames reach the
   * encoder within `confirmMs`; otherwise the previous track is put back and this resolves false.
   * (A device list can hold cameras whose frames WebRTC never encodes — a depth or infrared
   * camera, such as Chromium's second fake device — and switching to one would freeze the other
   * side's picture.) The caller stops the track it no longer sends.
   */
  async replaceCamera(track: MediaStreamTrack, confirmMs = 2_000, pollMs = 100): Promise<boolean> {
    const camera = this.#cameras[0];
    if (!camera) throw new Error('no camera is published in this call');
    const sender = camera.sender;
    const previous = sender.track ?? null;
    // A disabled track sends black frames only now and then: nothing to confirm in time.
    const confirm = sender.getStats && track.enabled && confirmMs > 0;
    await sender.replaceTrack(track);
    if (!confirm) return true;
    const start = await framesEncoded(sender);
    for (let waited = 0; waited < confirmMs; waited += pollMs) {
      await new Promise((r) => setTimeout(r, pollMs));
      // One frame may still have been in the pipeline from the previous track: wait for two.
      if ((await framesEncoded(sender)) >= start + 2) return true;
    }
    await sender.replaceTrack(previous?.readyState === 'live' ? previous : null).catch(() => {});
    return false;
  }

  /** Turns the camera's simulcast encodings on and off by rid, as the server asked. */
  async #setLayers(mid: string, active: string[]): Promise<void> {
    const sender = this.#cameras.find((t) => t.mid === mid)?.sender;
    if (!sender?.getParameters || !sender.setParameters) return;
    const params = sender.getParameters();
    let changed = false;
    for (const e of params.encodings ?? []) {
      if (!e.rid) continue;
      const on = active.includes(e.rid);
      if (e.active !== on) {
        e.active = on;
        changed = true;
      }
    }
    if (!changed) return;
    try {
      await sender.setParameters(params);
    } catch (e) {
      // A renegotiation raced the change: the next `call.layers` sets it again.
      this.#opts.onError?.('layers', e instanceof Error ? e.message : String(e));
    }
  }

  /** The layers the camera is sending now (rids with `active`), for tests and diagnostics. */
  activeLayers(): string[] {
    const params = this.#cameras[0]?.sender.getParameters?.();
    return (params?.encodings ?? []).filter((e) => e.rid && e.active !== false).map((e) => e.rid as string);
  }

  get #closed(): boolean {
    return this.#state === 'left';
  }

  #run(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(async () => {
      if (this.#closed) return;
      try {
        await step();
      } catch (e) {
        this.#opts.onError?.('webrtc', e instanceof Error ? e.message : String(e));
      }
    });
    this.#chain = next;
    return next;
  }

  async #offer(type: 'call.join' | 'call.renegotiate', waitForCandidates: boolean): Promise<void> {
    const offer = await this.peer.createOffer();
    await this.peer.setLocalDescription(offer);
    if (waitForCandidates) await this.#gathered();
    const sdp = this.peer.localDescription?.sdp ?? offer.sdp ?? '';
    // Mids are assigned by setLocalDescription; every screen m-line stays a screen.
    const screen_mids = this.#screens.map((t) => t.mid).filter((m): m is string => m !== null);
    this.#offerOut = true;
    if (!this.#opts.send({ type, call_id: this.callId, sdp, screen_mids })) {
      this.#offerOut = false;
      throw new Error('the connection to the server is down');
    }
  }

  async #applyAnswer(sdp: string): Promise<void> {
    if (!this.#offerOut || this.peer.signalingState !== 'have-local-offer') return; // late or stray
    await this.peer.setRemoteDescription({ type: 'answer', sdp });
    this.#offerOut = false;
    this.#sweepRemote();
    // Reconnecting (after a move) stays so until the new connection carries media.
    if (this.#state === 'joining') this.#setState('connecting');
    const queued = this.#queuedOffer;
    this.#queuedOffer = null;
    if (queued !== null) await this.#applyOffer(queued);
    await this.#maybeRenegotiate();
  }

  async #applyOffer(sdp: string): Promise<void> {
    await this.peer.setRemoteDescription({ type: 'offer', sdp });
    const answer = await this.peer.createAnswer();
    await this.peer.setLocalDescription(answer);
    this.#sweepRemote();
    this.#opts.send({ type: 'call.answer', call_id: this.callId, sdp: this.peer.localDescription?.sdp ?? answer.sdp ?? '' });
  }

  async #maybeRenegotiate(): Promise<void> {
    if (!this.#renegotiateWanted || this.#offerOut || this.peer.signalingState !== 'stable') return;
    if (this.#state === 'idle' || this.#state === 'joining') return; // the join carries everything
    this.#renegotiateWanted = false;
    await this.#offer('call.renegotiate', false);
  }

  /** Resolves when ICE gathering is complete, or after the timeout (the offer goes out anyway). */
  #gathered(): Promise<void> {
    if (this.peer.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.#opts.gatherTimeoutMs ?? DEFAULT_GATHER_TIMEOUT_MS);
      this.peer.addEventListener('icegatheringstatechange', (() => {
        if (this.peer.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      }) as (ev: never) => void);
    });
  }

  #onTrack(ev: RTCTrackEvent): void {
    const track = ev.track;
    // Only what the SFU forwards (it names each stream `kefu-*`). The browser also fires `track`
    // for the receive side of our own sendrecv transceivers, on which the SFU never sends: such a
    // silent track would pass for the other side's camera when they send none (one-way video).
    if (!(ev.streams ?? []).some((s) => s.id.startsWith('kefu-'))) return;
    this.#remote.add(track);
    track.addEventListener?.('ended', () => this.#remoteEnded(track));
    for (const stream of ev.streams ?? []) {
      stream.addEventListener?.('removetrack', ((e: MediaStreamTrackEvent) => {
        if (e.track === track) this.#remoteEnded(track);
      }) as EventListener);
    }
    this.#opts.onTrack?.(track, trackSource(track, (ev.streams ?? []).map((s) => s.id)));
  }

  /** After a remote description: a track whose m-line the server stopped has ended. */
  #sweepRemote(): void {
    for (const track of [...this.#remote]) if (track.readyState === 'ended') this.#remoteEnded(track);
  }

  #remoteEnded(track: MediaStreamTrack): void {
    if (!this.#remote.delete(track)) return;
    this.#opts.onTrackEnded?.(track);
  }

  #onConnectionState(): void {
    if (this.#closed) return;
    const s = this.peer.connectionState;
    if (s === 'connected') {
      this.#rejoin.settled();
      this.#setState('connected');
    } else if (s === 'disconnected' && this.#state === 'connected') this.#setState('reconnecting');
    // (A replaced peer's failure is not reported: its events are dropped, see #makePeer.)
    else if (s === 'failed') this.#setState('failed');
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }

  #setState(s: CallMediaState): void {
    if (s === this.#state) return;
    this.#state = s;
    this.#opts.onState?.(s);
  }
}

/** Frames the sender's encoder produced so far, over all its simulcast layers. */
async function framesEncoded(sender: Pick<TransceiverLike['sender'], 'getStats'>): Promise<number> {
  let frames = 0;
  (await sender.getStats?.())?.forEach((s: { type?: string; framesEncoded?: number }) => {
    if (s.type === 'outbound-rtp') frames += s.framesEncoded ?? 0;
  });
  return frames;
}

// One side of a call's media: an RTCPeerConnection to Kefu's SFU and the signalling of
// docs/calls (coord calls-protocol): the client offers first (`call.join`), the server answers;
// the server may later offer (`call.offer`) and the client answers (`call.answer`); the client may
// offer again (`call.renegotiate`) only when its signalling state is stable. An offer from the
// server that arrives while the client's own offer is out is queued and applied right after the
// answer, never dropped. No framework, no DOM: the peer connection is injected, so the state
// machine is tested with a fake.
//
// Screen share: a `sendonly` transceiver per share, its mid listed in `screen_mids` of the
// renegotiation (the server forwards it as a Screen track); the share's sound (a shared tab's
// audio, when the browser offers it) gets a `sendonly` audio transceiver of its own beside the
// microphone's, its mid listed too (the server forwards and records it as the screen's sound).
// Stopping sets them `inactive` and renegotiates (the server unpublishes them). Fresh
// transceivers per share: the server learns a screen only when a new m-line appears. Remote
// tracks come with their source, read from the stream id the server gives them
// (`kefu-screen-*`, `kefu-screen-audio-*`, `kefu-camera-*`, `kefu-audio-*`).
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
// screen being shared goes along (with its sound, if any): its track (still live: the browser's capture does not depend on
// the peer connection) gets a fresh `sendonly` transceiver on the new peer, listed in the join's
// `screen_mids`, so no new picker is shown; a screen track that ended meanwhile is dropped. A
// connection that drops (`disconnected`) also shows `reconnecting` until it recovers.
//
// A connection lost on the same node (it went `failed`, or stayed `disconnected` for
// DISCONNECTED_MS) is recovered the same way: a new peer connection with the same tracks joins
// again (the server replaces the old participant), tried again with growing windows until media
// flows or RECOVER_FOR_MS has passed (then `failed`); see rejoin.ts. Only a call whose media
// connected once recovers (a first connection that fails is a setup problem, not a lost
// network), and a move's rejoin under way is left to finish.
//
// The server says when the other side's connection went and came back (`call.peer` lost /
// back): `peerAway`, and `onPeerAway` for the page.
//
// A WebSocket lost meanwhile (the same network switch) took our participant out of the room on
// the server: when the socket is back, `socketReopened` joins again through it the same way.
// The newest socket of a side takes the call: a session whose socket was superseded gets
// `call.replaced` and closes quietly (`left`, `onReplaced`), without `call.leave` or a rejoin.

import { activeLayersOf, cameraEncodings, replaceCameraTrack, setActiveLayers } from './camera';
import type { CallMediaState, CallServerFrame, CallSessionOptions, PeerLike, ReceiveKind, TransceiverLike } from './contract';
import { DISCONNECTED_MS, MediaRecovery, MediaRejoin, RETRY_MS } from './rejoin';
import { RemoteTracks } from './remote';
import { relayOnlyForTests } from './testing';

export { cameraEncodings } from './camera';
export { trackSource, type CallClientFrame, type CallMediaState, type CallServerFrame, type CallSessionOptions, type CaptureSize, type PeerLike, type ReceiveKind, type TrackSource, type TransceiverLike } from './contract';


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
  readonly #recovery = new MediaRecovery();
  /** Runs out when a `disconnected` connection is taken for lost. */
  #lostTimer: ReturnType<typeof setTimeout> | undefined;
  /** Runs out when a recovery attempt's connection did not come up in its window. */
  #attemptTimer: ReturnType<typeof setTimeout> | undefined;
  /** The other side's connection is gone and not back yet (`call.peer`). */
  #peerAway = false;
  /** The call's media connected once (only then is a lost connection recovered). */
  #everConnected = false;
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
  /** The screen being shared now (its picture first, then its sound if any), if any. */
  #sharing: { transceivers: TransceiverLike[]; tracks: MediaStreamTrack[] } | null = null;
  /** Remote tracks reported through onTrack and not yet reported ended. */
  readonly #remote: RemoteTracks;
  /** The camera transceivers, whose simulcast layers `call.layers` turns on and off. */
  readonly #cameras: TransceiverLike[] = [];

  constructor(opts: CallSessionOptions) {
    this.#opts = opts;
    this.callId = opts.callId;
    this.#remote = new RemoteTracks(
      (track, source) => this.#opts.onTrack?.(track, source),
      (track) => this.#opts.onTrackEnded?.(track),
    );
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
      if (peer === this.#peer) this.#remote.arrived(ev);
    }) as (ev: never) => void);
    peer.addEventListener('connectionstatechange', (() => {
      if (peer === this.#peer) this.#onConnectionState();
    }) as (ev: never) => void);
    return peer;
  }

  get state(): CallMediaState {
    return this.#state;
  }

  /** Whether the other side is reconnecting (`call.peer` lost, not back yet). */
  get peerAway(): boolean {
    return this.#peerAway;
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
   * local tracks joins it. The old connection's remote tracks end. A screen being shared is
   * published again on the new connection (the same track: the person chose to share it and has
   * not stopped); one whose track ended meanwhile (the browser's "stop sharing") is dropped.
   */
  async #moveTo(): Promise<void> {
    clearTimeout(this.#retryTimer);
    const old = this.#peer;
    this.#offerOut = false;
    this.#queuedOffer = null;
    this.#renegotiateWanted = false;
    this.#cameras.length = 0;
    this.#screens.length = 0;
    const screen = this.#sharing?.tracks ?? null;
    this.#sharing = null;
    this.#remote.endAll();
    this.#peer = this.#makePeer();
    old.close();
    this.#setState('reconnecting');
    this.#opts.onPeer?.(this.#peer);
    this.#publish();
    // The picture decides: its sound goes along while it is live too.
    if (screen && screen[0] && screen[0].readyState !== 'ended') this.#addScreen(screen.filter((t) => t.readyState !== 'ended'));
    else if (screen) {
      for (const track of screen) track.stop();
      this.#opts.onScreenEnded?.();
    }
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
   * Shares a screen track (from getDisplayMedia) and, if given, its sound (the shared tab's
   * audio track): a new `sendonly` transceiver each, announced in `screen_mids` of the
   * renegotiation. The browser's own "stop sharing" (the picture's track ending) ends both.
   */
  shareScreen(track: MediaStreamTrack, sound?: MediaStreamTrack | null): Promise<void> {
    if (this.#closed || this.#sharing) return Promise.resolve();
    this.#addScreen(sound ? [track, sound] : [track]);
    track.addEventListener?.('ended', () => {
      if (this.#sharing?.tracks[0] === track) void this.stopScreen();
    });
    return this.renegotiate();
  }

  /**
   * Fresh `sendonly` transceivers on the current peer for a screen's tracks (its picture first,
   * then its sound if any): the screen shared now.
   */
  #addScreen(tracks: MediaStreamTrack[]): void {
    const transceivers = tracks.map((t) => this.peer.addTransceiver(t, { direction: 'sendonly' }));
    this.#screens.push(...transceivers);
    this.#sharing = { transceivers, tracks };
  }

  /** Whether the screen being shared sends its sound too. */
  get sharingSound(): boolean {
    return (this.#sharing?.tracks.length ?? 0) > 1;
  }

  /** Stops the screen share, picture and sound: the transceivers go inactive and the server unpublishes them. */
  async stopScreen(): Promise<void> {
    const sharing = this.#sharing;
    if (!sharing) return;
    this.#sharing = null;
    for (const track of sharing.tracks) track.stop();
    this.#opts.onScreenEnded?.();
    if (this.#closed) return;
    for (const transceiver of sharing.transceivers) {
      transceiver.direction = 'inactive';
      await transceiver.sender.replaceTrack(null).catch(() => {});
    }
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
        // The move's rejoin replaces any recovery under way (same node or not, it joins anew).
        this.#stopRecovery();
        return this.#run(() => this.#moveTo());
      }
      case 'call.peer': {
        const state = frame.data?.state;
        if (state !== 'lost' && state !== 'back') return Promise.resolve();
        const away = state === 'lost';
        if (away !== this.#peerAway) {
          this.#peerAway = away;
          this.#opts.onPeerAway?.(away);
        }
        return Promise.resolve();
      }
      case 'call.replaced': {
        // Another socket of ours took the call: the server dropped this media already.
        this.#close();
        this.#opts.onReplaced?.();
        return Promise.resolve();
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

  /**
   * The WebSocket connected again after it was lost (a phone switching from Wi-Fi to 4G loses
   * both): the server took our participant out of the room when the old socket closed and waits
   * `call_rejoin_secs` for this side, so a session still in its call joins again through the new
   * socket with a new peer connection, as after a move (a join refused `media_unavailable` is
   * tried again). Call it on every reconnect, not on the first connect.
   */
  socketReopened(): Promise<void> {
    if (this.#state === 'idle' || this.#state === 'failed' || this.#closed) return Promise.resolve();
    // Counted as a move: a `call.moved` repeated meanwhile (a cluster node died with the socket)
    // is the same rejoin, not another one.
    this.#rejoin.moved(this.#now());
    this.#stopRecovery();
    return this.#run(() => this.#moveTo());
  }

  /** Leaves the media (the call itself ends through the REST hang-up) and closes the connection. */
  leave(): void {
    if (this.#closed) return;
    this.#opts.send({ type: 'call.leave', call_id: this.callId });
    this.#close();
  }

  /** Stops everything of the media here: timers, recovery, the screen share, the connection. */
  #close(): void {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    this.#stopRecovery();
    for (const track of this.#sharing?.tracks ?? []) track.stop();
    this.#sharing = null;
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
    return replaceCameraTrack(camera, track, confirmMs, pollMs);
  }

  /** Turns the camera's simulcast encodings on and off by rid, as the server asked. */
  async #setLayers(mid: string, active: string[]): Promise<void> {
    try {
      await setActiveLayers(this.#cameras.find((t) => t.mid === mid), active);
    } catch (e) {
      // A renegotiation raced the change: the next `call.layers` sets it again.
      this.#opts.onError?.('layers', e instanceof Error ? e.message : String(e));
    }
  }

  /** The layers the camera is sending now (rids with `active`), for tests and diagnostics. */
  activeLayers(): string[] {
    return activeLayersOf(this.#cameras[0]);
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
    this.#remote.sweep();
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
    this.#remote.sweep();
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

  #onConnectionState(): void {
    if (this.#closed) return;
    const s = this.peer.connectionState;
    if (s === 'connected') {
      this.#rejoin.settled();
      this.#stopRecovery();
      this.#everConnected = true;
      this.#setState('connected');
    } else if (s === 'disconnected') {
      if (this.#state === 'connected') this.#setState('reconnecting');
      // A recovery under way has its own window for the attempt's connection.
      if (this.#everConnected && !this.#recovery.recovering && this.#lostTimer === undefined) {
        this.#lostTimer = setTimeout(() => this.#recover(), DISCONNECTED_MS);
      }
    } else if (s === 'failed') {
      // (A replaced peer's failure is not reported: its events are dropped, see #makePeer.)
      if (this.#everConnected) this.#recover();
      else this.#setState('failed');
    }
  }

  /** The connection is lost: join again on a new one, again after each attempt's window. */
  #recover(): void {
    clearTimeout(this.#lostTimer);
    this.#lostTimer = undefined;
    clearTimeout(this.#attemptTimer);
    if (this.#closed) return;
    const now = this.#now();
    if (this.#rejoin.moving(now)) {
      // A move's rejoin is under way, with its own retries: look again later.
      this.#attemptTimer = setTimeout(() => this.#recover(), RETRY_MS);
      return;
    }
    const wait = this.#recovery.attempt(now);
    if (wait === null) {
      this.#stopRecovery();
      this.#setState('failed');
      return;
    }
    this.#attemptTimer = setTimeout(() => this.#recover(), wait);
    void this.#run(async () => {
      try {
        await this.#moveTo();
      } catch {
        // The socket to the server is down too: the next attempt tries again.
        this.#offerOut = false;
      }
    });
  }

  #stopRecovery(): void {
    clearTimeout(this.#lostTimer);
    this.#lostTimer = undefined;
    clearTimeout(this.#attemptTimer);
    this.#attemptTimer = undefined;
    this.#recovery.settled();
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

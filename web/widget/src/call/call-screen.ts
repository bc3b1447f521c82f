// The call chunk (loaded with import() only when a call starts): the visitor's call screen —
// the agent's video large, the own preview small, mute / camera off / share screen (desktop
// browsers: hidden where getDisplayMedia is missing, e.g. phones) / full screen / hang up; a
// screen the agent shares is shown large, the agent's camera small, and its sound (a shared
// tab's audio) plays beside the agent's voice; the visitor's own share sends its sound too —
// over a CallSession to Kefu's SFU. The chat stays below it; App and ChatSession own the rest.

import {
  CallSession,
  callErrorKind,
  cameraCount,
  cameraIds,
  nextCameraId,
  exposeCallForTests,
  openCamera,
  openLocalMedia,
  stopStream,
  watchNetwork,
  type CallMediaState,
  type CallServerFrame,
  type CameraChoice,
  type CaptureSize,
  type Facing,
  type NetworkQuality,
} from '@kefu/realtime/call';
import { format, type Locale } from '../i18n/locale';
import { call as en } from '../i18n/call-en';
import { call as zh } from '../i18n/call-zh-CN';
import type { Api } from '../frame/api';
import { h } from '../frame/dom';
import type { CallView } from '../frame/types';
import { answerSnapshot } from './snapshot';
import './call.css';

export { DeviceError, openLocalMedia, stopStream } from '@kefu/realtime/call';

type CallKey = keyof typeof en;

/** What the visitor reads for each kind of `call.error`. */
const ERROR_KEYS = { setup: 'errorSetup', ended: 'errorEnded', unavailable: 'errorUnavailable', other: 'errorOther' } as const;

export interface CallScreenOptions {
  call: CallView;
  locale: Locale;
  api: Api;
  /** The socket's send (false when it is down). */
  send: (frame: unknown) => boolean;
  /** Opened by the pre-call check already; otherwise opened here (and may throw a DeviceError). */
  stream?: MediaStream;
  /** The serving agent's name (shown in a voice call instead of video). */
  peerName?: string | null;
  /** The visitor pressed hang up. */
  onHangup: () => void;
  /** A newer socket of this visitor (another tab or device) took the call: this screen's media left it. */
  onReplaced?: () => void;
}

export class CallScreen {
  readonly el: HTMLElement;
  readonly #session: CallSession;
  readonly #stream: MediaStream;
  readonly #remote = new MediaStream();
  readonly #t: (k: CallKey, p?: Record<string, string | number>) => string;
  readonly #status: HTMLElement;
  readonly #remoteVideo: HTMLVideoElement;
  readonly #screenVideo: HTMLVideoElement;
  /** The sound of the screen the agent shares (a shared tab's audio), beside the agent's voice. */
  readonly #screenSound: HTMLAudioElement;
  readonly #share: HTMLButtonElement;
  readonly #mute: HTMLButtonElement;
  readonly #camera: HTMLButtonElement | null;
  /** Front/back camera switch: shown only where the device has more than one camera (phones). */
  readonly #flip: HTMLButtonElement;
  readonly #local: HTMLVideoElement;
  readonly #capture: CaptureSize | undefined;
  #facing: Facing = 'user';
  readonly #full: HTMLButtonElement;
  readonly #answeredAt: number;
  readonly #notice: HTMLElement;
  /** "The agent is reconnecting", while the agent's connection is gone (`call.peer`). */
  readonly #peer: HTMLElement;
  readonly #api: Api;
  readonly #call: CallView;
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The network-quality indicator (good / fair / poor, in words). */
  readonly #network: HTMLElement;
  #stopNetwork: () => void;

  static async start(o: CallScreenOptions): Promise<CallScreen> {
    const stream = o.stream ?? (await openLocalMedia(o.call.media));
    let ice: RTCIceServer[] = [];
    let capture: CaptureSize | undefined;
    try {
      const servers = await o.api.iceServers(o.call.id);
      capture = servers.capture;
      ice = servers.ice_servers.map((s) => {
        // RTCIceServer takes no nulls.
        const out: RTCIceServer = { urls: s.urls };
        if (s.username) out.username = s.username;
        if (s.credential) out.credential = s.credential;
        return out;
      });
    } catch {
      // Without TURN the host candidates still work on an open network; try anyway.
    }
    const screen = new CallScreen(o, stream, ice, capture);
    await screen.#join();
    return screen;
  }

  private constructor(o: CallScreenOptions, stream: MediaStream, ice: RTCIceServer[], capture?: CaptureSize) {
    const cat = o.locale === 'zh-CN' ? zh : en;
    this.#t = (k, p) => format(cat[k], p);
    const t = this.#t;
    this.#stream = stream;
    this.#capture = capture;
    this.#api = o.api;
    this.#call = o.call;
    this.#answeredAt = Date.parse(o.call.answered_at ?? '') || Date.now();
    this.#session = new CallSession({
      callId: o.call.id,
      send: o.send,
      iceServers: ice,
      capture,
      onTrack: (track, source) => {
        if (source === 'screen') this.#showScreen(track);
        else if (source === 'screen-audio') this.#playScreenSound(track);
        else this.#addRemote(track);
      },
      onTrackEnded: (track) => this.#removeRemote(track),
      onScreenEnded: () => this.#setSharing(false),
      onState: (s) => this.#setState(s),
      onPeerAway: (away) => (this.#peer.hidden = !away),
      onReplaced: () => o.onReplaced?.(),
      // The call's media moved to another server (`call.moved`): the indicator follows the new connection.
      onPeer: (peer) => {
        this.#stopNetwork();
        this.#network.hidden = true;
        this.#stopNetwork = watchNetwork(peer, (q) => this.#showNetwork(q));
      },
      onError: (code, message) => {
        console.warn('call', o.call.id, code, message);
        this.#notify(ERROR_KEYS[callErrorKind(code)]);
      },
    });
    exposeCallForTests(this.#session);

    const video = o.call.media === 'video';
    this.#remoteVideo = h('video', { class: 'call__remote', autoplay: true, playsinline: true, 'aria-label': t('remoteVideo'), 'data-testid': 'call-remote-video' });
    this.#remoteVideo.srcObject = this.#remote;
    this.#screenVideo = h('video', { class: 'call__screen', autoplay: true, playsinline: true, hidden: true, 'aria-label': t('remoteScreen'), 'data-testid': 'call-remote-screen' });
    this.#screenVideo.muted = true;
    this.#screenSound = h('audio', { autoplay: true, hidden: true, 'aria-label': t('remoteScreenSound'), 'data-testid': 'call-remote-screen-sound' });
    const local = h('video', { class: 'call__local', autoplay: true, playsinline: true, 'aria-label': t('localVideo'), 'data-testid': 'call-local-video' });
    local.muted = true; // never hear oneself
    local.srcObject = stream;
    // One-way video (camera off for me): no own camera, so no preview and no camera button.
    const ownCamera = stream.getVideoTracks().length > 0;
    local.hidden = !video || !ownCamera;
    this.#local = local;
    this.#status = h('p', { class: 'call__status', role: 'status', 'data-testid': 'call-status' });
    this.#notice = h('p', { class: 'call__notice', role: 'status', 'data-testid': 'call-notice', hidden: true });
    this.#peer = h('p', { class: 'call__notice', role: 'status', 'data-testid': 'call-peer-reconnecting', hidden: true }, t('agentReconnecting'));
    this.#network = h('p', { class: 'call__network', role: 'status', 'data-testid': 'call-network', hidden: true });
    this.#stopNetwork = watchNetwork(this.#session.peer, (q) => this.#showNetwork(q));
    this.#mute = this.#toggle('call-mute', t('mute'), () => this.#setMuted(!this.#muted()));
    this.#camera = video && ownCamera ? this.#toggle('call-camera', t('cameraOff'), () => this.#setCameraOff(!this.#cameraOff())) : null;
    this.#flip = h('button', { type: 'button', class: 'call__btn', 'data-testid': 'call-switch-camera', hidden: true }, t('switchCamera'));
    this.#flip.addEventListener('click', () => void this.#switchCamera());
    if (video && ownCamera) void cameraCount().then((n) => (this.#flip.hidden = n < 2));
    this.#share = this.#toggle('call-screen-share', t('shareScreen'), () => void this.#toggleShare());
    this.#share.hidden = !video || typeof navigator.mediaDevices?.getDisplayMedia !== 'function';
    this.#full = this.#toggle('call-fullscreen', t('fullscreen'), () => void this.#toggleFullscreen());
    this.#full.hidden = !document.fullscreenEnabled;
    const hangup = h('button', { type: 'button', class: 'call__btn call__btn--hangup', 'data-testid': 'call-hangup' }, t('hangup'));
    hangup.addEventListener('click', () => o.onHangup());
    this.el = h(
      'section',
      { class: `call call--${o.call.media}`, 'aria-label': t('region'), 'data-testid': 'call-view', 'data-call-id': o.call.id, 'data-state': 'idle' },
      h('div', { class: 'call__stage' }, video ? null : this.#voiceCard(o.peerName || t('agent')), this.#screenVideo, this.#screenSound, this.#remoteVideo, local),
      this.#status,
      this.#network,
      this.#peer,
      this.#notice,
      h('div', { class: 'call__controls' }, this.#mute, this.#camera, this.#flip, this.#share, this.#full, hangup),
    );
    document.addEventListener('fullscreenchange', this.#onFullscreen);
    this.#setState('idle');
  }

  /** The socket connected again after it was lost: the media joins again through it. */
  socketReopened(): void {
    void this.#session.socketReopened();
  }

  /** A `call.answer` / `call.offer` / `call.error` frame from the socket. */
  signal(frame: CallServerFrame): void {
    if (frame.type === 'call.snapshot_requested') {
      const request = frame.data?.request_id;
      if (frame.call_id === this.callId && typeof request === 'string') void this.#snapshot(request);
      return;
    }
    void this.#session.handle(frame);
  }

  /**
   * Front <-> back camera (to show a document or the product to the agent): the other camera's
   * track replaces the published one without renegotiating; snapshots then come from it too.
   * A camera whose frames never reach the encoder (a depth or infrared one in the device list)
   * is skipped for the next; when none works, the customer keeps the camera they had.
   */
  async #switchCamera(): Promise<void> {
    const next: Facing = this.#facing === 'user' ? 'environment' : 'user';
    const old = this.#stream.getVideoTracks()[0];
    const oldId = old?.getSettings?.().deviceId;
    this.#flip.disabled = true;
    try {
      // The next cameras by id where the browser names them (after permission it does), else by
      // facing: phones list front and back as two devices, laptops with two cameras too.
      const ids = await cameraIds();
      const choices: CameraChoice[] = [];
      for (let at = oldId; ; ) {
        const id = nextCameraId(ids, at);
        if (!id || id === oldId || choices.some((c) => 'deviceId' in c && c.deviceId === id)) break;
        choices.push({ deviceId: id });
        at = id;
      }
      if (!choices.length) choices.push({ facing: next });
      for (const choice of choices) {
        const track = await this.#openOther(choice, old);
        if (!track) continue;
        track.enabled = old ? old.enabled : true;
        if (!(await this.#session.replaceCamera(track))) {
          track.stop();
          continue;
        }
        if (old) {
          this.#stream.removeTrack(old);
          old.stop();
        }
        this.#stream.addTrack(track);
        // The preview shows the new camera (a <video> does not follow tracks added to its stream).
        this.#local.srcObject = new MediaStream(this.#stream.getVideoTracks());
        const facing = track.getSettings?.().facingMode;
        this.#facing = facing === 'user' || facing === 'environment' ? facing : next;
        // Only the front camera's preview is a mirror.
        this.#local.classList.toggle('call__local--unmirrored', this.#facing === 'environment');
        return;
      }
      throw new Error('no other camera sends a picture');
    } catch {
      this.#notify('switchCameraFailed');
      // The old camera was let go: take it back so the customer is not left without a picture.
      if (old && old.readyState !== 'live') {
        const back = await openCamera(oldId ? { deviceId: oldId } : { facing: this.#facing }, this.#capture).catch(() => null);
        if (back) {
          back.enabled = old.enabled;
          await this.#session.replaceCamera(back, 0).catch(() => {});
          this.#stream.removeTrack(old);
          this.#stream.addTrack(back);
          this.#local.srcObject = new MediaStream(this.#stream.getVideoTracks());
        }
      }
    } finally {
      this.#flip.disabled = false;
    }
  }

  /** Opens another camera; some phones open one camera at a time, so the old one is let go then. */
  async #openOther(choice: CameraChoice, old: MediaStreamTrack | undefined): Promise<MediaStreamTrack | null> {
    try {
      return await openCamera(choice, this.#capture);
    } catch {
      old?.stop();
      return openCamera(choice, this.#capture).catch(() => null);
    }
  }

  /** A line under the picture for a few seconds (snapshot taken, camera switch failed, a
   * signalling refusal …). */
  #notify(key: CallKey): void {
    this.#notice.textContent = this.#t(key);
    this.#notice.hidden = false;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => (this.#notice.hidden = true), 5000);
  }

  /** The agent asked for a still: from the own camera at full resolution, not the sent stream. */
  #snapshot(requestId: string): Promise<boolean> {
    return answerSnapshot(requestId, {
      track: () => this.#stream.getVideoTracks()[0] ?? null,
      upload: (file, id) => this.#api.upload(this.#call.conversation_id, file, id),
      notify: (key) => this.#notify(key),
    });
  }

  get callId(): number {
    return this.#session.callId;
  }

  /** Leaves the media and lets go of the camera and microphone. Idempotent. */
  end(): void {
    clearInterval(this.#timer);
    this.#stopNetwork();
    clearTimeout(this.#noticeTimer);
    document.removeEventListener('fullscreenchange', this.#onFullscreen);
    if (document.fullscreenElement === this.el) void document.exitFullscreen().catch(() => {});
    this.#session.leave();
    exposeCallForTests(null);
    stopStream(this.#stream);
    this.#remoteVideo.srcObject = null;
    this.#screenVideo.srcObject = null;
    this.#screenSound.srcObject = null;
  }

  async #join(): Promise<void> {
    const tracks = this.#stream.getTracks();
    // Receive the agent's audio, and video even if we send none (a missing camera); a voice
    // call has no video either way.
    const receive: ('audio' | 'video')[] = [];
    if (!tracks.some((t) => t.kind === 'audio')) receive.push('audio');
    if (this.#call.media === 'video' && !tracks.some((t) => t.kind === 'video')) receive.push('video');
    await this.#session.join(tracks, receive);
  }

  #addRemote(track: MediaStreamTrack): void {
    for (const old of this.#remote.getTracks().filter((t) => t.kind === track.kind)) this.#remote.removeTrack(old);
    this.#remote.addTrack(track);
    void this.#remoteVideo.play().catch(() => {});
  }

  /** A voice call shows who is on the line instead of video: an avatar and the agent's name. */
  #voiceCard(name: string): HTMLElement {
    const initial = [...name.trim()][0]?.toUpperCase() ?? '?';
    return h(
      'div',
      { class: 'call__voice', 'data-testid': 'call-voice' },
      h('span', { class: 'call__avatar', 'aria-hidden': 'true' }, initial),
      h('span', { class: 'call__name' }, name),
      h('span', { class: 'call__label' }, this.#t('voiceCall')),
    );
  }

  /** The agent shares a screen: it takes the stage, the agent's camera goes small. */
  #showScreen(track: MediaStreamTrack): void {
    this.#screenVideo.srcObject = new MediaStream([track]);
    this.#screenVideo.hidden = false;
    this.el.classList.add('call--screen');
    void this.#screenVideo.play().catch(() => {});
  }

  /** The agent's shared screen sounds (a shared tab's audio): played beside the agent's voice. */
  #playScreenSound(track: MediaStreamTrack): void {
    this.#screenSound.srcObject = new MediaStream([track]);
    void this.#screenSound.play().catch(() => {});
  }

  #removeRemote(track: MediaStreamTrack): void {
    const screen = this.#screenVideo.srcObject as MediaStream | null;
    const sound = this.#screenSound.srcObject as MediaStream | null;
    if (sound?.getTracks().includes(track)) {
      this.#screenSound.srcObject = null;
    } else if (screen?.getTracks().includes(track)) {
      this.#screenVideo.srcObject = null;
      this.#screenVideo.hidden = true;
      this.el.classList.remove('call--screen');
    } else if (this.#remote.getTracks().includes(track)) {
      this.#remote.removeTrack(track);
    }
  }

  async #toggleShare(): Promise<void> {
    if (this.#session.sharing) {
      await this.#session.stopScreen();
      return;
    }
    let stream: MediaStream;
    try {
      // The sound too where the browser offers it (Chromium: a shared tab's audio, if the
      // visitor leaves "share tab audio" ticked); it is sent beside the microphone.
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
    } catch {
      return; // the visitor closed the browser's picker: nothing to share
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    track.contentHint = 'detail';
    this.#setSharing(true);
    await this.#session.shareScreen(track, stream.getAudioTracks()[0] ?? null);
  }

  /** The indicator says the quality in words; the colour only repeats it. */
  #showNetwork(q: NetworkQuality): void {
    this.#network.hidden = false;
    this.#network.dataset.quality = q;
    this.#network.textContent = this.#t(q === 'good' ? 'networkGood' : q === 'fair' ? 'networkFair' : 'networkPoor');
  }

  #setSharing(on: boolean): void {
    this.#share.setAttribute('aria-pressed', String(on));
    this.#share.textContent = on ? this.#t('stopShare') : this.#t('shareScreen');
  }

  #setState(s: CallMediaState): void {
    this.el.dataset.state = s;
    clearInterval(this.#timer);
    if (s === 'connected') {
      this.#tick();
      this.#timer = setInterval(() => this.#tick(), 1000);
    } else {
      this.#status.textContent = s === 'failed' ? this.#t('failed') : s === 'reconnecting' ? this.#t('reconnecting') : this.#t('connecting');
    }
  }

  #tick(): void {
    const secs = Math.max(0, Math.floor((Date.now() - this.#answeredAt) / 1000));
    const time = `${String(Math.floor(secs / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`;
    this.#status.textContent = this.#t('inProgress', { time });
  }

  #toggle(testid: string, label: string, onClick: () => void): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'call__btn', 'aria-pressed': 'false', 'data-testid': testid }, label);
    b.addEventListener('click', onClick);
    return b;
  }

  #muted(): boolean {
    return this.#stream.getAudioTracks().every((t) => !t.enabled);
  }

  #setMuted(muted: boolean): void {
    for (const t of this.#stream.getAudioTracks()) t.enabled = !muted;
    this.#mute.setAttribute('aria-pressed', String(muted));
    this.#mute.textContent = muted ? this.#t('unmute') : this.#t('mute');
  }

  #cameraOff(): boolean {
    return this.#stream.getVideoTracks().every((t) => !t.enabled);
  }

  #setCameraOff(off: boolean): void {
    for (const t of this.#stream.getVideoTracks()) t.enabled = !off;
    if (!this.#camera) return;
    this.#camera.setAttribute('aria-pressed', String(off));
    this.#camera.textContent = off ? this.#t('cameraOn') : this.#t('cameraOff');
  }

  async #toggleFullscreen(): Promise<void> {
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await this.el.requestFullscreen();
    } catch {
      // Refused (e.g. the embedding page did not allow it): the call goes on in the panel.
    }
  }

  readonly #onFullscreen = (): void => {
    const on = document.fullscreenElement === this.el;
    this.#full.setAttribute('aria-pressed', String(on));
    this.#full.textContent = on ? this.#t('exitFullscreen') : this.#t('fullscreen');
  };
}

// Test doubles of the browser's WebRTC objects for CallSession's tests (not shipped: imported
// only by *.test.ts).

import type { PeerLike, TransceiverLike } from './contract';

/** A fake RTCPeerConnection: follows the signalling states of the spec and records every step. */
export class FakePeer implements PeerLike {
  signalingState: RTCSignalingState = 'stable';
  iceGatheringState: RTCIceGatheringState = 'complete';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: RTCSessionDescriptionInit | null = null;
  remote: RTCSessionDescriptionInit | null = null;
  transceivers: { what: string; direction?: string }[] = [];
  /** The transceivers handed out; mids are given at the next setLocalDescription, as browsers do. */
  made: FakeTransceiver[] = [];
  log: string[] = [];
  closed = false;
  #offers = 0;
  #listeners = new Map<string, ((ev: never) => void)[]>();

  addTransceiver(trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit): TransceiverLike {
    this.transceivers.push({ what: typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind, direction: init?.direction });
    const t = new FakeTransceiver(init?.direction ?? 'sendrecv', typeof trackOrKind === 'string' ? null : trackOrKind);
    t.params = { transactionId: 't', encodings: (init?.sendEncodings ?? []).map((e) => ({ ...e })) } as unknown as RTCRtpSendParameters;
    this.made.push(t);
    return t;
  }
  async createOffer(): Promise<RTCSessionDescriptionInit> {
    return { type: 'offer', sdp: `client-offer-${++this.#offers}` };
  }
  async createAnswer(): Promise<RTCSessionDescriptionInit> {
    if (this.signalingState !== 'have-remote-offer') throw new Error('createAnswer in ' + this.signalingState);
    return { type: 'answer', sdp: `client-answer-to-${this.remote?.sdp}` };
  }
  async setLocalDescription(d?: RTCSessionDescriptionInit): Promise<void> {
    if (!d) throw new Error('implicit descriptions are not faked');
    if (d.type === 'offer') {
      if (this.signalingState !== 'stable') throw new Error('local offer in ' + this.signalingState);
      this.signalingState = 'have-local-offer';
    } else {
      if (this.signalingState !== 'have-remote-offer') throw new Error('local answer in ' + this.signalingState);
      this.signalingState = 'stable';
    }
    this.localDescription = d;
    this.made.forEach((t, i) => (t.mid ??= String(i)));
    this.log.push(`local ${d.type} ${d.sdp}`);
  }
  async setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
    if (d.type === 'offer') {
      if (this.signalingState !== 'stable') throw new Error('remote offer in ' + this.signalingState); // glare
      this.signalingState = 'have-remote-offer';
    } else {
      if (this.signalingState !== 'have-local-offer') throw new Error('remote answer in ' + this.signalingState);
      this.signalingState = 'stable';
    }
    this.remote = d;
    this.log.push(`remote ${d.type} ${d.sdp}`);
  }
  async getStats(): Promise<RTCStatsReport> {
    return new Map() as unknown as RTCStatsReport;
  }
  close(): void {
    this.closed = true;
    this.signalingState = 'closed';
  }
  addEventListener(type: string, listener: (ev: never) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  emit(type: string, ev: unknown = {}): void {
    for (const l of this.#listeners.get(type) ?? []) (l as (e: unknown) => void)(ev);
  }
}

export class FakeTransceiver implements TransceiverLike {
  mid: string | null = null;
  params = {} as RTCRtpSendParameters;
  constructor(
    public direction: RTCRtpTransceiverDirection,
    public track: MediaStreamTrack | null,
  ) {}
  readonly sender = {
    replaceTrack: async (t: MediaStreamTrack | null) => {
      this.track = t;
    },
    getParameters: () => structuredClone(this.params),
    setParameters: async (p: RTCRtpSendParameters) => {
      this.params = structuredClone(p);
    },
  };
}

/** A fake screen track: stop() and the browser's own "stop sharing" (an `ended` event). */
export class FakeTrack extends EventTarget {
  readyState: MediaStreamTrackState = 'live';
  constructor(readonly kind: string) {
    super();
  }
  stop(): void {
    this.readyState = 'ended';
  }
  /** The browser's "stop sharing" bar: the track ends and says so. */
  endByBrowser(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}


// The seams of a CallSession: the peer connection it drives (a real RTCPeerConnection, or a fake
// in tests), the frames of the calls contract it speaks, and its options. Types and one pure
// reading of a stream id; no state.

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
 * Where a remote track comes from: the other side's microphone, camera, shared screen, or the
 * shared screen's sound (a shared tab's audio, beside the microphone).
 */
export type TrackSource = 'audio' | 'camera' | 'screen' | 'screen-audio';

/** The source of a remote track, from the stream id the server gave it. */
export function trackSource(track: MediaStreamTrack, streamIds: readonly string[]): TrackSource {
  if (track.kind === 'audio') return streamIds.some((id) => id.startsWith('kefu-screen-audio-')) ? 'screen-audio' : 'audio';
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
  /** A remote track went away (the other side stopped sharing its screen or its sound, or left). */
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
  /**
   * The other side's connection went (`call.peer` lost: the call waits for it to join again)
   * or came back: the page says "the customer / the agent is reconnecting" meanwhile.
   */
  onPeerAway?: (away: boolean) => void;
  /**
   * A newer socket of the same side (this page's own reconnect, or another tab or device) took the
   * call (`call.replaced`): this session's media left the room and the session is closed
   * (`left`); it does not join again by itself.
   */
  onReplaced?: () => void;
  /** A new peer connection replaced the old one (after `call.moved`): watchers of `peer` follow it. */
  onPeer?: (peer: PeerLike) => void;
  /** The clock, for tests. */
  now?: () => number;
}

/** What the call receives besides what it sends: the other side's audio and video. */
export type ReceiveKind = 'audio' | 'video';

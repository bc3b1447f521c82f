// @kefu/realtime/call: the media side of a call (peer connection + signalling) and the local
// devices. Imported only by the code that runs when a call starts (the widget loads it with
// import()), so none of it weighs on the chat.

export { CallSession } from './session';
export { cameraEncodings } from './camera';
export { type CaptureSize, type CallClientFrame, type CallMediaState, type CallServerFrame, type CallSessionOptions, type PeerLike, type ReceiveKind, type TrackSource, type TransceiverLike, trackSource } from './contract';
export {
  cameraCount,
  cameraIds,
  DeviceError,
  deviceKinds,
  deviceProblem,
  mediaConstraints,
  nextCameraId,
  openCamera,
  openLocalMedia,
  stopStream,
  type CallMedia,
  type CameraChoice,
  type DeviceProblem,
  type Facing,
} from './devices';
export { callErrorKind, type CallErrorKind } from './errors';
export { MediaRejoin } from './rejoin';
export { exposeCallForTests } from './testing';
export { rateNetwork, sampleStats, watchNetwork, type LossCounters, type NetworkQuality, type NetworkSample } from './quality';

// English strings of the call view, bundled into the call chunk only (loaded when a call starts).
// call-zh-CN.ts must have exactly the same keys.

export const call = {
  region: 'Video call',
  connecting: 'Connecting…',
  inProgress: 'In call {time}',
  failed: 'The connection was lost. Hang up and try again.',
  remoteVideo: 'Agent video',
  localVideo: 'Your video',
  mute: 'Mute',
  unmute: 'Unmute',
  cameraOff: 'Turn camera off',
  cameraOn: 'Turn camera on',
  fullscreen: 'Full screen',
  exitFullscreen: 'Exit full screen',
  hangup: 'Hang up',
  voiceCall: 'Voice call',
  agent: 'Customer service',
  shareScreen: 'Share screen',
  stopShare: 'Stop sharing',
  remoteScreen: "Agent's screen",
  snapshotTaken: 'The agent took a snapshot',
  snapshotCameraOff: 'The agent asked for a snapshot; none was taken because your camera is off',
  snapshotFailed: 'The agent asked for a snapshot, but it could not be taken',
  networkGood: 'Network: good',
  networkFair: 'Network: fair',
  networkPoor: 'Network: poor — video may be reduced',
};

// The pre-call check and the local media of a call: which devices exist, what getUserMedia is
// asked for (echo cancellation, noise suppression and auto gain requested explicitly), and a
// reason code the UI can translate when something is missing or refused.

export type CallMedia = 'video' | 'voice';

/** Why the local media could not be opened; each has its own message in the UIs. */
export type DeviceProblem =
  /** No camera (video call) or no microphone at all. */
  | 'no_camera'
  | 'no_microphone'
  /** The visitor or the browser refused access. */
  | 'denied'
  /** The device exists but another application holds it. */
  | 'in_use'
  /** No getUserMedia here (old browser, or a page not served over HTTPS). */
  | 'unsupported'
  | 'failed';

export class DeviceError extends Error {
  constructor(readonly problem: DeviceProblem, message: string) {
    super(message);
    this.name = 'DeviceError';
  }
}

/** What getUserMedia is asked for: 720p camera for video, and the audio processing spelled out. */
export function mediaConstraints(media: CallMedia): MediaStreamConstraints {
  return {
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    video: media === 'video' ? { width: { ideal: 1280 }, height: { ideal: 720 } } : false,
  };
}

/** Maps a getUserMedia failure (a DOMException name) to a problem the UI can explain. */
export function deviceProblem(name: string, media: CallMedia, kinds?: { camera: boolean; microphone: boolean }): DeviceProblem {
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      if (kinds && !kinds.microphone) return 'no_microphone';
      return media === 'video' && (!kinds || !kinds.camera) ? 'no_camera' : 'no_microphone';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'in_use';
    case 'TypeError':
      return 'unsupported';
    default:
      return 'failed';
  }
}

/** The devices the page can see (labels are empty before permission; kinds are enough here). */
export async function deviceKinds(md: Pick<MediaDevices, 'enumerateDevices'>): Promise<{ camera: boolean; microphone: boolean }> {
  const list = await md.enumerateDevices();
  return { camera: list.some((d) => d.kind === 'videoinput'), microphone: list.some((d) => d.kind === 'audioinput') };
}

/**
 * The pre-call check: finds the devices, then opens them. Resolves the local stream or rejects
 * with a DeviceError. The caller owns the stream (stop its tracks when the call ends).
 */
export async function openLocalMedia(media: CallMedia, md: MediaDevices | undefined = globalThis.navigator?.mediaDevices): Promise<MediaStream> {
  if (!md?.getUserMedia) throw new DeviceError('unsupported', 'getUserMedia is not available');
  let kinds: { camera: boolean; microphone: boolean } | undefined;
  try {
    kinds = await deviceKinds(md);
  } catch {
    kinds = undefined; // enumeration is only a hint
  }
  if (kinds && !kinds.microphone) throw new DeviceError('no_microphone', 'no microphone');
  if (kinds && media === 'video' && !kinds.camera) throw new DeviceError('no_camera', 'no camera');
  try {
    return await md.getUserMedia(mediaConstraints(media));
  } catch (e) {
    const name = e instanceof Error ? e.name : '';
    throw new DeviceError(deviceProblem(name, media, kinds), e instanceof Error ? e.message : String(e));
  }
}

/** Which way a phone camera looks: at the customer (front) or at what they show (back). */
export type Facing = 'user' | 'environment';

/** How many cameras the page can see (a phone has two: front and back). */
export async function cameraCount(md: Pick<MediaDevices, 'enumerateDevices'> | undefined = globalThis.navigator?.mediaDevices): Promise<number> {
  try {
    return (await md?.enumerateDevices())?.filter((d) => d.kind === 'videoinput').length ?? 0;
  } catch {
    return 0;
  }
}

/** Which camera to open: a device by id (cycling through the cameras), or a facing (phones). */
export type CameraChoice = { deviceId: string } | { facing: Facing };

/** The camera after `current` in the device list (wrapping), or null when there is no other. */
export function nextCameraId(cameraIds: string[], current: string | undefined): string | null {
  const ids = cameraIds.filter(Boolean);
  if (ids.length < 2) return null;
  const at = current ? ids.indexOf(current) : -1;
  return ids[(at + 1) % ids.length] ?? null;
}

/** The ids of the cameras the page can see (empty strings before permission). */
export async function cameraIds(md: Pick<MediaDevices, 'enumerateDevices'> | undefined = globalThis.navigator?.mediaDevices): Promise<string[]> {
  try {
    return (await md?.enumerateDevices())?.filter((d) => d.kind === 'videoinput').map((d) => d.deviceId) ?? [];
  } catch {
    return [];
  }
}

/**
 * Opens another camera at the call's capture size, for a front/back switch. Resolves its video
 * track (the caller stops it) or rejects with a DeviceError.
 */
export async function openCamera(
  choice: CameraChoice,
  capture: { width: number; height: number } = { width: 1280, height: 720 },
  md: Pick<MediaDevices, 'getUserMedia'> | undefined = globalThis.navigator?.mediaDevices,
): Promise<MediaStreamTrack> {
  if (!md?.getUserMedia) throw new DeviceError('unsupported', 'getUserMedia is not available');
  const which = 'deviceId' in choice ? { deviceId: { exact: choice.deviceId } } : { facingMode: { ideal: choice.facing } };
  let stream: MediaStream;
  try {
    stream = await md.getUserMedia({ video: { ...which, width: { ideal: capture.width }, height: { ideal: capture.height } } });
  } catch (e) {
    throw new DeviceError(deviceProblem(e instanceof Error ? e.name : '', 'video', { camera: true, microphone: true }), e instanceof Error ? e.message : String(e));
  }
  const track = stream.getVideoTracks()[0];
  if (!track) throw new DeviceError('no_camera', 'no camera');
  return track;
}

/** Stops every track (the camera light goes off). */
export function stopStream(stream: MediaStream | null | undefined): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
}

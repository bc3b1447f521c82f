// Call snapshots on the visitor's side (call chunk): when the agent asks
// (`call.snapshot_requested`), take a still from the visitor's own camera track at its capture
// resolution — never from what the far side receives, which may be a degraded simulcast layer —
// and upload it as the answer to the request. The browser parts are injected so the choice
// between ImageCapture and the canvas fallback is tested with fakes.

/** The part of ImageCapture used here (Chromium has it; Firefox and Safari do not). */
export interface PhotoTaker {
  takePhoto(settings?: { imageWidth?: number; imageHeight?: number }): Promise<Blob>;
}
export type PhotoTakerCtor = new (track: MediaStreamTrack) => PhotoTaker;

export interface StillDeps {
  /** `ImageCapture` where the browser has it. */
  imageCapture?: PhotoTakerCtor;
  /** Draws one frame of the track at width x height and encodes it as JPEG. */
  grabFrame: (track: MediaStreamTrack, width: number, height: number) => Promise<Blob>;
}

/** A still of the camera track at the resolution the camera captures (its settings). */
export async function captureStill(track: MediaStreamTrack, deps: StillDeps = browserStillDeps()): Promise<Blob> {
  const { width = 0, height = 0 } = track.getSettings();
  if (deps.imageCapture) {
    try {
      // Asked for the capture size: by default a camera may answer with another photo mode.
      const sized = width && height ? { imageWidth: width, imageHeight: height } : undefined;
      return await new deps.imageCapture(track).takePhoto(sized);
    } catch {
      // Refused (a size outside the photo capabilities, a busy device): the frame grab below.
    }
  }
  return deps.grabFrame(track, width, height);
}

/** The real browser: ImageCapture when present, else a canvas frame grab. */
export function browserStillDeps(): StillDeps {
  const ctor = (globalThis as { ImageCapture?: PhotoTakerCtor }).ImageCapture;
  return { imageCapture: ctor, grabFrame: canvasGrab };
}

/** One frame of the local track through a detached <video>, at its intrinsic size. */
async function canvasGrab(track: MediaStreamTrack, width: number, height: number): Promise<Blob> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  try {
    await video.play();
    if (!video.videoWidth) await new Promise((r) => video.addEventListener('loadeddata', r, { once: true }));
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth || width;
    canvas.height = video.videoHeight || height;
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no frame'))), 'image/jpeg', 0.92));
  } finally {
    video.srcObject = null;
  }
}

export interface SnapshotDeps {
  /** The visitor's own camera track now (null: camera missing). */
  track: () => MediaStreamTrack | null;
  /** Uploads the still as the answer to `requestId`. */
  upload: (file: File, requestId: string) => Promise<unknown>;
  /** Shows a short notice on the call screen. */
  notify: (key: 'snapshotTaken' | 'snapshotFailed' | 'snapshotCameraOff') => void;
  still?: (track: MediaStreamTrack) => Promise<Blob>;
}

/** Answers one snapshot request: capture, upload, tell the visitor. */
export async function answerSnapshot(requestId: string, deps: SnapshotDeps): Promise<boolean> {
  const track = deps.track();
  if (track && !track.enabled) {
    // The visitor turned the camera off: the device could still take a photo, but must not.
    deps.notify('snapshotCameraOff');
    return false;
  }
  try {
    if (!track || track.readyState === 'ended') throw new Error('no camera');
    const blob = await (deps.still ?? captureStill)(track);
    const ext = blob.type === 'image/png' ? 'png' : 'jpg';
    await deps.upload(new File([blob], `snapshot.${ext}`, { type: blob.type || 'image/jpeg' }), requestId);
    deps.notify('snapshotTaken');
    return true;
  } catch (e) {
    console.warn('snapshot', requestId, e);
    deps.notify('snapshotFailed');
    return false;
  }
}

import { describe, expect, it, vi } from 'vitest';
import { answerSnapshot, captureStill, type PhotoTakerCtor } from './snapshot';

/** A camera track whose settings say 1280x720. */
const track = (settings: MediaTrackSettings = { width: 1280, height: 720 }, readyState = 'live', enabled = true) =>
  ({ kind: 'video', readyState, enabled, getSettings: () => settings }) as unknown as MediaStreamTrack;
const jpeg = (label: string) => new Blob([label], { type: 'image/jpeg' });

describe('captureStill', () => {
  it('takes a photo of the own track at its capture size where ImageCapture exists', async () => {
    const asked: unknown[] = [];
    const tracks: unknown[] = [];
    const imageCapture = class {
      constructor(t: MediaStreamTrack) {
        tracks.push(t);
      }
      takePhoto(s?: unknown) {
        asked.push(s);
        return Promise.resolve(jpeg('photo'));
      }
    } as unknown as PhotoTakerCtor;
    const grabFrame = vi.fn();
    const t = track();
    const blob = await captureStill(t, { imageCapture, grabFrame });
    expect(await blob.text()).toBe('photo');
    expect(tracks).toEqual([t]);
    expect(asked).toEqual([{ imageWidth: 1280, imageHeight: 720 }]);
    expect(grabFrame).not.toHaveBeenCalled();
  });

  it('grabs a frame of the own track at its settings without ImageCapture, or when takePhoto fails', async () => {
    const grabFrame = vi.fn(async () => jpeg('frame'));
    const t = track({ width: 640, height: 480 });
    expect(await (await captureStill(t, { grabFrame })).text()).toBe('frame');
    expect(grabFrame).toHaveBeenLastCalledWith(t, 640, 480);
    const failing = class {
      takePhoto() {
        return Promise.reject(new DOMException('out of range', 'NotSupportedError'));
      }
    } as unknown as PhotoTakerCtor;
    expect(await (await captureStill(t, { imageCapture: failing, grabFrame })).text()).toBe('frame');
    expect(grabFrame).toHaveBeenCalledTimes(2);
  });
});

describe('answerSnapshot', () => {
  it('uploads the still as the answer to the request and tells the visitor', async () => {
    const uploads: [File, string][] = [];
    const notices: string[] = [];
    const ok = await answerSnapshot('r1', {
      track: () => track(),
      still: async () => jpeg('still'),
      upload: async (f, id) => uploads.push([f, id]),
      notify: (k) => notices.push(k),
    });
    expect(ok).toBe(true);
    expect(uploads.map(([f, id]) => [f.name, f.type, id])).toEqual([['snapshot.jpg', 'image/jpeg', 'r1']]);
    expect(notices).toEqual(['snapshotTaken']);
  });

  it('says so when there is no live camera or the upload fails', async () => {
    const notices: string[] = [];
    const upload = vi.fn(async () => {
      throw new Error('409');
    });
    const deps = { still: async () => jpeg('x'), upload, notify: (k: string) => notices.push(k) };
    expect(await answerSnapshot('r2', { ...deps, track: () => null })).toBe(false);
    expect(await answerSnapshot('r2', { ...deps, track: () => track(undefined, 'ended') })).toBe(false);
    expect(upload).not.toHaveBeenCalled();
    expect(await answerSnapshot('r2', { ...deps, track: () => track() })).toBe(false);
    expect(notices).toEqual(['snapshotFailed', 'snapshotFailed', 'snapshotFailed']);
  });

  it('takes nothing while the visitor has the camera off', async () => {
    const notices: string[] = [];
    const still = vi.fn(async () => jpeg('x'));
    const upload = vi.fn(async () => ({}));
    const ok = await answerSnapshot('r3', { track: () => track(undefined, 'live', false), still, upload, notify: (k) => notices.push(k) });
    expect(ok).toBe(false);
    expect(still).not.toHaveBeenCalled();
    expect(upload).not.toHaveBeenCalled();
    expect(notices).toEqual(['snapshotCameraOff']);
  });
});

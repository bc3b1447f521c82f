// The published camera: its simulcast layers (what the SFU's allocator counts on, and which of
// them `call.layers` turns on and off) and the make-before-break switch to another camera. Pure
// functions over a transceiver's sender; CallSession keeps which transceivers are cameras.

import type { CaptureSize, TransceiverLike } from './contract';

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

/**
 * Sends `track` in place of the published camera (a phone's front/back switch): the same
 * transceiver and simulcast layers, so nothing is renegotiated and the other side's picture
 * just changes. Make before break: the new track is sent only once its frames reach the
 * encoder within `confirmMs`; otherwise the previous track is put back and this resolves false.
 * (A device list can hold cameras whose frames WebRTC never encodes — a depth or infrared
 * camera, such as Chromium's second fake device — and switching to one would freeze the other
 * side's picture.) The caller stops the track it no longer sends.
 */
export async function replaceCameraTrack(camera: TransceiverLike, track: MediaStreamTrack, confirmMs: number, pollMs: number): Promise<boolean> {
  const sender = camera.sender;
  const previous = sender.track ?? null;
  // A disabled track sends black frames only now and then: nothing to confirm in time.
  const confirm = sender.getStats && track.enabled && confirmMs > 0;
  await sender.replaceTrack(track);
  if (!confirm) return true;
  const start = await framesEncoded(sender);
  for (let waited = 0; waited < confirmMs; waited += pollMs) {
    await new Promise((r) => setTimeout(r, pollMs));
    if (newFrames(start, await framesEncoded(sender)) >= CONFIRM_FRAMES) return true;
  }
  await sender.replaceTrack(previous?.readyState === 'live' ? previous : null).catch(() => {});
  return false;
}

/**
 * Turns the camera's simulcast encodings on and off by rid, as the server asked. Throws when the
 * browser refuses the change (the caller reports it).
 */
export async function setActiveLayers(camera: TransceiverLike | undefined, active: string[]): Promise<void> {
  const sender = camera?.sender;
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
  await sender.setParameters(params);
}

/** The layers `camera` is sending now (rids with `active`). */
export function activeLayersOf(camera: TransceiverLike | undefined): string[] {
  const params = camera?.sender.getParameters?.();
  return (params?.encodings ?? []).filter((e) => e.rid && e.active !== false).map((e) => e.rid as string);
}

/**
 * Frames a layer must encode after a switch to prove the new camera gives a picture. Frames of
 * the previous track can still be in the pipeline when `replaceTrack` resolves — on a busy
 * machine a few, and each of them is encoded once per simulcast layer — while a camera that
 * works gives 15-30 a second: five in one layer tell the two apart within a few hundred ms.
 */
const CONFIRM_FRAMES = 5;

/** Frames the sender's encoder produced so far, per simulcast layer (by stats id). */
async function framesEncoded(sender: Pick<TransceiverLike['sender'], 'getStats'>): Promise<Map<string, number>> {
  const frames = new Map<string, number>();
  (await sender.getStats?.())?.forEach((s: { type?: string; id?: string; rid?: string; framesEncoded?: number }, key: string) => {
    if (s.type === 'outbound-rtp') frames.set(s.rid ?? s.id ?? key, s.framesEncoded ?? 0);
  });
  return frames;
}

/** The most frames any one layer encoded between two readings. */
function newFrames(before: Map<string, number>, now: Map<string, number>): number {
  let most = 0;
  for (const [layer, frames] of now) most = Math.max(most, frames - (before.get(layer) ?? 0));
  return most;
}

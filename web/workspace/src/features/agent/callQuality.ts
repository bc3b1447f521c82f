//! The call's quality timeline as staff read it: one row per reading and side, in words and
//! units a supervisor understands (kbit/s, %, ms, "1280×720 · 24 fps · h"). Pure.

import type * as Api from '@kefu/api';

export type QualitySample = Api.QualitySample;

/** vue-i18n's `t` (or any function with its shape). */
export type Translate = (key: string, named?: Record<string, unknown>) => string;

export interface QualityRow {
  at: string;
  side: string;
  /** "1.2 Mbit/s" / "350 kbit/s". */
  inbound: string;
  outbound: string;
  /** "0.5 % / 2.0 %" (in / out), "–" when unknown. */
  loss: string;
  rtt: string;
  /** The forwarded video: size, frame rate and layer, or "–". */
  video: string;
  /** Worse than what keeps a call smooth (loss over 5 %, or a round trip over 300 ms). */
  poor: boolean;
}

export function bitrate(bps: number): string {
  return bps >= 1_000_000 ? `${(bps / 1_000_000).toFixed(1)} Mbit/s` : `${Math.round(bps / 1000)} kbit/s`;
}

function percent(v: number | null | undefined): string {
  return typeof v === 'number' ? `${(v * 100).toFixed(1)} %` : '–';
}

export function videoLayer(s: QualitySample): string {
  const parts: string[] = [];
  if (s.video_width && s.video_height) parts.push(`${s.video_width}×${s.video_height}`);
  if (typeof s.video_fps === 'number' && s.video_fps > 0) parts.push(`${Math.round(s.video_fps)} fps`);
  if (s.video_rid) parts.push(s.video_rid);
  return parts.length ? parts.join(' · ') : '–';
}

export function qualityRows(t: Translate, samples: QualitySample[], time: (iso: string) => string): QualityRow[] {
  return samples.map((s) => ({
    at: time(s.at),
    side: t(s.side === 'visitor' ? 'agent.callQuality.visitor' : 'agent.callQuality.agent'),
    inbound: bitrate(s.bitrate_in_bps),
    outbound: bitrate(s.bitrate_out_bps),
    loss: `${percent(s.loss_in)} / ${percent(s.loss_out)}`,
    rtt: typeof s.rtt_ms === 'number' ? `${s.rtt_ms} ms` : '–',
    video: videoLayer(s),
    poor: Math.max(s.loss_in ?? 0, s.loss_out ?? 0) > 0.05 || (s.rtt_ms ?? 0) > 300,
  }));
}

/** The call id a call line (`call_started` / `call_ended`) carries, if any. */
export function callIdOf(data: unknown): number | null {
  const id = typeof data === 'object' && data !== null ? (data as { call_id?: unknown }).call_id : undefined;
  return typeof id === 'number' ? id : null;
}

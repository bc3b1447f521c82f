import { describe, expect, it } from 'vitest';
import { bitrate, callIdOf, qualityRows, videoLayer, type QualitySample } from './callQuality';

const sample = (over: Partial<QualitySample> = {}): QualitySample => ({
  side: 'visitor',
  at: '2026-11-30T10:00:05Z',
  bitrate_in_bps: 1_650_000,
  bitrate_out_bps: 420_000,
  loss_in: 0.004,
  loss_out: 0.08,
  rtt_ms: 42,
  estimate_bps: 2_000_000,
  video_rid: 'h',
  video_width: 1280,
  video_height: 720,
  video_fps: 24.4,
  published_rids: ['l', 'm', 'h'],
  ...over,
});

describe('call quality timeline', () => {
  it('reads each reading in units and words', () => {
    const t = (k: string) => k;
    const [row] = qualityRows(t, [sample()], (iso) => iso.slice(11, 19));
    expect(row).toEqual({
      at: '10:00:05',
      side: 'agent.callQuality.visitor',
      inbound: '1.6 Mbit/s',
      outbound: '420 kbit/s',
      loss: '0.4 % / 8.0 %',
      rtt: '42 ms',
      video: '1280×720 · 24 fps · h',
      poor: true,
    });
    const [quiet] = qualityRows(t, [sample({ side: 'agent', loss_in: null, loss_out: null, rtt_ms: null })], (s) => s);
    expect([quiet!.side, quiet!.loss, quiet!.rtt, quiet!.poor]).toEqual(['agent.callQuality.agent', '– / –', '–', false]);
  });

  it('says what is unknown', () => {
    expect(videoLayer(sample({ video_rid: null, video_width: null, video_height: null, video_fps: null }))).toBe('–');
    expect(bitrate(0)).toBe('0 kbit/s');
  });

  it('finds the call of a call line', () => {
    expect(callIdOf({ media: 'video', call_id: 12 })).toBe(12);
    expect(callIdOf({ media: 'video' })).toBeNull();
    expect(callIdOf(null)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { rateNetwork, sampleStats } from './quality';

const report = (stats: Record<string, unknown>[]) => new Map(stats.map((s, i) => [String(i), s])) as unknown as RTCStatsReport;

describe('network quality', () => {
  it('rates round trip, loss and the allowed outgoing bitrate', () => {
    expect(rateNetwork({ rttMs: 40, loss: 0, outgoingBps: 2_000_000, sendsVideo: true })).toBe('good');
    expect(rateNetwork({ rttMs: 250, loss: 0 })).toBe('fair');
    expect(rateNetwork({ rttMs: 40, loss: 0.05 })).toBe('fair');
    expect(rateNetwork({ rttMs: 40, loss: 0, outgoingBps: 300_000, sendsVideo: true })).toBe('fair');
    expect(rateNetwork({ rttMs: 40, loss: 0, outgoingBps: 300_000, sendsVideo: false })).toBe('good');
    expect(rateNetwork({ rttMs: 600 })).toBe('poor');
    expect(rateNetwork({ loss: 0.1 })).toBe('poor');
    expect(rateNetwork({})).toBe('good');
  });

  it('reads getStats: the selected pair, the loss of the last interval, the loss the SFU reports', () => {
    const first = sampleStats(
      report([
        { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.05, availableOutgoingBitrate: 1_200_000 },
        { type: 'candidate-pair', nominated: false, state: 'failed', currentRoundTripTime: 3 },
        { type: 'inbound-rtp', packetsReceived: 1000, packetsLost: 0 },
        { type: 'outbound-rtp', kind: 'video' },
      ]),
    );
    expect(first.sample).toEqual({ rttMs: 50, outgoingBps: 1_200_000, sendsVideo: true, loss: 0 });
    // 100 more packets of which 10 lost: 10/110 in this interval (not 10/1110 since the start).
    const second = sampleStats(report([{ type: 'inbound-rtp', packetsReceived: 1100, packetsLost: 10 }]), first.counters);
    expect(second.sample.loss).toBeCloseTo(10 / 110);
    expect(rateNetwork(second.sample)).toBe('poor');
    const sent = sampleStats(report([{ type: 'remote-inbound-rtp', fractionLost: 0.03 }]));
    expect(sent.sample.loss).toBe(0.03);
  });
});

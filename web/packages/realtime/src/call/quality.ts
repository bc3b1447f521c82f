// The network-quality indicator of a call: good / fair / poor, from the browser's own getStats()
// (round-trip time, packet loss both ways, the outgoing bitrate its congestion control allows).
// Pure rating plus a small poller; the UIs translate the word (never colour alone).

/** What the indicator shows. */
export type NetworkQuality = 'good' | 'fair' | 'poor';

/** One reading of the connection. */
export interface NetworkSample {
  /** Round trip to the SFU, milliseconds. */
  rttMs?: number;
  /** Fraction (0..1) of packets lost, the worse of what we receive and what we send. */
  loss?: number;
  /** What the browser's congestion control lets us send, bits per second. */
  outgoingBps?: number;
  /** We publish video (so a low outgoing bitrate matters). */
  sendsVideo?: boolean;
}

/** Thresholds: video calls stay usable below "fair"; "poor" is when the picture or voice break up. */
export function rateNetwork(s: NetworkSample): NetworkQuality {
  const rtt = s.rttMs ?? 0;
  const loss = s.loss ?? 0;
  const out = s.sendsVideo ? (s.outgoingBps ?? Infinity) : Infinity;
  if (rtt > 400 || loss > 0.08 || out < 150_000) return 'poor';
  if (rtt > 200 || loss > 0.02 || out < 500_000) return 'fair';
  return 'good';
}

/** Cumulative counters of the previous reading, to turn totals into the loss of the last interval. */
export interface LossCounters {
  received: number;
  lost: number;
}

/** Reads a getStats() report: the sample, and the counters for the next reading. */
export function sampleStats(report: RTCStatsReport, previous?: LossCounters): { sample: NetworkSample; counters: LossCounters } {
  const sample: NetworkSample = {};
  let received = 0;
  let lost = 0;
  let sentLoss = 0;
  report.forEach((s: Record<string, unknown> & { type: string }) => {
    if (s.type === 'candidate-pair' && (s.nominated || s.selected) && s.state === 'succeeded') {
      if (typeof s.currentRoundTripTime === 'number') sample.rttMs = s.currentRoundTripTime * 1000;
      if (typeof s.availableOutgoingBitrate === 'number') sample.outgoingBps = s.availableOutgoingBitrate;
    } else if (s.type === 'inbound-rtp') {
      received += typeof s.packetsReceived === 'number' ? s.packetsReceived : 0;
      lost += typeof s.packetsLost === 'number' ? Math.max(0, s.packetsLost) : 0;
    } else if (s.type === 'remote-inbound-rtp' && typeof s.fractionLost === 'number') {
      // What the SFU reports losing of ours.
      sentLoss = Math.max(sentLoss, s.fractionLost);
    } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
      sample.sendsVideo = true;
    }
  });
  const dReceived = received - (previous?.received ?? 0);
  const dLost = lost - (previous?.lost ?? 0);
  const recvLoss = dReceived + dLost > 0 ? Math.max(0, dLost) / (dReceived + dLost) : 0;
  sample.loss = Math.max(recvLoss, sentLoss);
  return { sample, counters: { received, lost } };
}

/**
 * Polls `getStats` every `intervalMs` and reports the quality when it changes (and once at the
 * start). Returns a function that stops it.
 */
export function watchNetwork(
  peer: { getStats(): Promise<RTCStatsReport> },
  onQuality: (q: NetworkQuality, sample: NetworkSample) => void,
  intervalMs = 2_000,
): () => void {
  let counters: LossCounters | undefined;
  let last: NetworkQuality | null = null;
  const timer = setInterval(() => {
    peer.getStats().then(
      (report) => {
        const read = sampleStats(report, counters);
        counters = read.counters;
        const q = rateNetwork(read.sample);
        if (q !== last) {
          last = q;
          onQuality(q, read.sample);
        }
      },
      () => {},
    );
  }, intervalMs);
  return () => clearInterval(timer);
}

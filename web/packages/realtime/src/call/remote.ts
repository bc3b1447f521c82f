// The other side's tracks a CallSession has reported (onTrack) and not yet reported ended: each
// is reported ended once, whether its track ends, its stream drops it, a new remote description
// stopped its m-line, or the call moved to a new peer connection.

import { trackSource, type TrackSource } from './contract';

export class RemoteTracks {
  readonly #live = new Set<MediaStreamTrack>();
  readonly #onTrack?: (track: MediaStreamTrack, source: TrackSource) => void;
  readonly #onEnded?: (track: MediaStreamTrack) => void;

  constructor(onTrack?: (track: MediaStreamTrack, source: TrackSource) => void, onEnded?: (track: MediaStreamTrack) => void) {
    this.#onTrack = onTrack;
    this.#onEnded = onEnded;
  }

  /** A `track` event of the current peer connection. */
  arrived(ev: RTCTrackEvent): void {
    const track = ev.track;
    // Only what the SFU forwards (it names each stream `kefu-*`). The browser also fires `track`
    // for the receive side of our own sendrecv transceivers, on which the SFU never sends: such a
    // silent track would pass for the other side's camera when they send none (one-way video).
    if (!(ev.streams ?? []).some((s) => s.id.startsWith('kefu-'))) return;
    this.#live.add(track);
    track.addEventListener?.('ended', () => this.ended(track));
    for (const stream of ev.streams ?? []) {
      stream.addEventListener?.('removetrack', ((e: MediaStreamTrackEvent) => {
        if (e.track === track) this.ended(track);
      }) as EventListener);
    }
    this.#onTrack?.(track, trackSource(track, (ev.streams ?? []).map((s) => s.id)));
  }

  /** After a remote description: a track whose m-line the server stopped has ended. */
  sweep(): void {
    for (const track of [...this.#live]) if (track.readyState === 'ended') this.ended(track);
  }

  /** The peer connection was replaced: every track of the old one has ended. */
  endAll(): void {
    for (const track of [...this.#live]) this.ended(track);
  }

  ended(track: MediaStreamTrack): void {
    if (!this.#live.delete(track)) return;
    this.#onEnded?.(track);
  }
}

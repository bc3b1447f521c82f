// Per-conversation ordering on top of the socket: each conversation's events go through its own
// Sequencer; a gap that does not fill by itself within a short time asks the caller to resume.

import { Sequencer } from './sequencer';
import { isSequenced, type Cursors, type SequencedEvent, type ServerEvent } from './types';

/** How long a gap may stay open before we assume the frame is lost and ask for a replay. */
export const GAP_TIMEOUT_MS = 2_000;

export interface ConversationStreamOptions {
  /** Seq already reflected by the caller's state (0 = nothing yet, or a REST snapshot's last_seq). */
  applied?: number;
  /** Called when a gap has persisted for `gapTimeoutMs`; typically `socket.resume()`. */
  onResumeNeeded: () => void;
  gapTimeoutMs?: number;
}

export class ConversationStream<E extends { seq: number } = SequencedEvent> {
  readonly #seq: Sequencer<E>;
  readonly #onResumeNeeded: () => void;
  readonly #gapTimeoutMs: number;
  #gapTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(opts: ConversationStreamOptions) {
    this.#seq = new Sequencer<E>(opts.applied ?? 0);
    this.#onResumeNeeded = opts.onResumeNeeded;
    this.#gapTimeoutMs = opts.gapTimeoutMs ?? GAP_TIMEOUT_MS;
  }

  get applied(): number {
    return this.#seq.applied;
  }

  /** Offers one event; returns the events to apply now, in order. */
  push(e: E): E[] {
    const out = this.#seq.push(e);
    this.#watchGap();
    return out;
  }

  /** After a REST snapshot covering everything up to `seq`. Returns buffered events now applicable. */
  advanceTo(seq: number): E[] {
    const out = this.#seq.advanceTo(seq);
    this.#watchGap();
    return out;
  }

  hasGap(): boolean {
    return this.#seq.hasGap();
  }

  /** Stops the gap timer; call when the conversation is no longer shown. */
  dispose(): void {
    this.#clearTimer();
  }

  #watchGap(): void {
    if (!this.#seq.hasGap()) {
      this.#clearTimer();
      return;
    }
    if (this.#gapTimer !== null) return;
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = null;
      if (!this.#seq.hasGap()) return;
      this.#onResumeNeeded();
      // Keep asking while the gap stays open (the resume itself may have been lost).
      this.#watchGap();
    }, this.#gapTimeoutMs);
  }

  #clearTimer(): void {
    if (this.#gapTimer !== null) clearTimeout(this.#gapTimer);
    this.#gapTimer = null;
  }
}

export interface ConversationStreamsOptions {
  /** Receives each conversation event once, in seq order per conversation. */
  onApply: (ev: SequencedEvent) => void;
  /** Receives events without seq (typing, queue.position, offer.*, agent.status, hello). */
  onEphemeral?: (ev: ServerEvent) => void;
  onResumeNeeded: () => void;
  gapTimeoutMs?: number;
}

/**
 * All conversations of one socket. Feed it every server event with `dispatch`, give the socket
 * `cursors` as its `cursors` option, and call `track` after loading a conversation over REST.
 * A conversation first seen on the socket starts at 0, so a gap makes the server replay it whole.
 */
export class ConversationStreams {
  readonly #opts: ConversationStreamsOptions;
  readonly #streams = new Map<number, ConversationStream<SequencedEvent>>();

  constructor(opts: ConversationStreamsOptions) {
    this.#opts = opts;
  }

  /** Starts following a conversation, or moves it forward to a snapshot's `applied` seq. */
  track(conversationId: number, applied = 0): void {
    const stream = this.#streams.get(conversationId);
    if (stream) {
      for (const ev of stream.advanceTo(applied)) this.#opts.onApply(ev);
      return;
    }
    this.#streams.set(conversationId, this.#create(applied));
  }

  /** Stops following a conversation: it leaves the resume cursors. */
  untrack(conversationId: number): void {
    this.#streams.get(conversationId)?.dispose();
    this.#streams.delete(conversationId);
  }

  has(conversationId: number): boolean {
    return this.#streams.has(conversationId);
  }

  applied(conversationId: number): number {
    return this.#streams.get(conversationId)?.applied ?? 0;
  }

  dispatch(ev: ServerEvent): void {
    if (!isSequenced(ev)) {
      this.#opts.onEphemeral?.(ev);
      return;
    }
    let stream = this.#streams.get(ev.conversation_id);
    if (!stream) {
      stream = this.#create(0);
      this.#streams.set(ev.conversation_id, stream);
    }
    for (const applied of stream.push(ev)) this.#opts.onApply(applied);
  }

  /** The resume cursors: every followed conversation and its last applied seq. */
  cursors = (): Cursors => {
    const out: Cursors = {};
    for (const [id, s] of this.#streams) out[String(id)] = s.applied;
    return out;
  };

  dispose(): void {
    for (const s of this.#streams.values()) s.dispose();
    this.#streams.clear();
  }

  #create(applied: number): ConversationStream<SequencedEvent> {
    return new ConversationStream<SequencedEvent>({
      applied,
      onResumeNeeded: this.#opts.onResumeNeeded,
      gapTimeoutMs: this.#opts.gapTimeoutMs,
    });
  }
}

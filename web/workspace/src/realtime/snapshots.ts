//! Where stores report REST snapshots ("this conversation's state is complete up to seq N") so the
//! bridge can move that conversation's cursor. Stores import this, never the bridge or the socket.

export type SnapshotSink = (conversationId: number, lastSeq: number) => void;

let sink: SnapshotSink | null = null;
/** Snapshots reported before the bridge started; handed over when it does. */
const early = new Map<number, number>();

export function reportSnapshot(conversationId: number, lastSeq: number): void {
  if (sink) {
    sink(conversationId, lastSeq);
    return;
  }
  early.set(conversationId, Math.max(lastSeq, early.get(conversationId) ?? 0));
}

/** Installed by the bridge while it runs; `null` when it stops. */
export function setSnapshotSink(next: SnapshotSink | null): void {
  sink = next;
  if (!next) return;
  for (const [id, seq] of early) next(id, seq);
  early.clear();
}

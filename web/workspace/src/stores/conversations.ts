//! Conversations the signed-in agent works on, and their messages. Conversations live in a map by
//! id and are upserted from REST answers and socket events alike; messages live in one Thread per
//! conversation (see thread.ts). Socket events arrive here already ordered, via the bridge.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { conversationsApi, type TransferTarget } from '../api/conversations';
import { notesApi } from '../api/notes';
import type { Conversation, Id, Message, MessageReadData, Note, Tag, TypingData } from '../api/types';
import { reportSnapshot } from '../realtime/snapshots';
import { useCallsStore } from './calls';
import { useDraftsStore } from './drafts';
import { useSessionStore } from './session';
import {
  addPending,
  emptyThread,
  lastMessage,
  markPending,
  maxSeq,
  newClientId,
  orderedMessages,
  unreadAfter,
  upsertMessage,
  type Thread,
  type ThreadMessage,
} from './thread';

/** How long a visitor's "typing" shows without a fresh event (the visitor may have left). */
const TYPING_STALE_MS = 8_000;
/** Minimum gap between two "I am typing" posts, and the idle time after which we say we stopped. */
const TYPING_THROTTLE_MS = 3_000;
const TYPING_IDLE_MS = 4_000;

export interface UpsertOptions {
  /** Take `unread` from this copy (a REST answer for the asking agent); events keep the local count. */
  takeUnread?: boolean;
  /** An event already ordered by the bridge: apply it even if its last_seq looks older. */
  force?: boolean;
  /** Report the copy as a snapshot for the socket cursors (false for read-only history). */
  track?: boolean;
}

export const useConversationsStore = defineStore('conversations', () => {
  const session = useSessionStore();

  const byId = ref(new Map<Id, Conversation>());
  const threads = ref(new Map<Id, Thread>());
  const activeId = ref<Id | null>(null);
  /** True while the agent workspace is on screen, so that new messages there count as read. */
  const viewing = ref(false);
  const loading = ref(false);

  const typingTimers = new Map<Id, ReturnType<typeof setTimeout>>();
  const ownTyping = new Map<Id, { lastSent: number; idle: ReturnType<typeof setTimeout> | null }>();
  const inFlight = new Map<Id, Promise<Conversation | undefined>>();

  const meId = computed(() => session.user?.id ?? null);

  /** Assigned to me and still open, oldest assignment first (a stable order for Alt+Up/Down). */
  const active = computed(() =>
    [...byId.value.values()]
      .filter((c) => c.status === 'assigned' && c.agent_id === meId.value)
      .sort((a, b) => (a.assigned_at ?? a.created_at).localeCompare(b.assigned_at ?? b.created_at) || a.id - b.id),
  );

  const current = computed(() => (activeId.value === null ? undefined : byId.value.get(activeId.value)));
  const currentMessages = computed<ThreadMessage[]>(() => {
    const t = activeId.value === null ? undefined : threads.value.get(activeId.value);
    return t ? orderedMessages(t) : [];
  });
  const totalUnread = computed(() => active.value.reduce((n, c) => n + c.unread, 0));

  function thread(id: Id): Thread {
    let t = threads.value.get(id);
    if (!t) {
      threads.value.set(id, emptyThread());
      t = threads.value.get(id)!; // just inserted; read back through the reactive map
    }
    return t;
  }

  function messagesOf(id: Id): ThreadMessage[] {
    const t = threads.value.get(id);
    return t ? orderedMessages(t) : [];
  }

  function lastMessageOf(id: Id): ThreadMessage | undefined {
    return lastMessage(threads.value.get(id));
  }

  /** Inserts or updates a conversation; an older copy (lower last_seq) never overwrites a newer one. */
  function upsertConversation(c: Conversation, opts: UpsertOptions = {}): Conversation {
    const existing = byId.value.get(c.id);
    if (existing && !opts.force && c.last_seq < existing.last_seq) return existing;
    const unread = opts.takeUnread || !existing ? c.unread : existing.unread;
    const lastSeq = Math.max(c.last_seq, existing?.last_seq ?? 0);
    byId.value.set(c.id, { ...c, unread, last_seq: lastSeq });
    // Read marks travel with the conversation, so "已读" survives a reload (they only grow).
    if (c.visitor_read_seq > 0 || c.agent_read_seq > 0) {
      const t = thread(c.id);
      t.visitorReadSeq = Math.max(t.visitorReadSeq, c.visitor_read_seq ?? 0);
      t.agentReadSeq = Math.max(t.agentReadSeq, c.agent_read_seq ?? 0);
    }
    if (opts.track !== false) reportSnapshot(c.id, c.last_seq);
    // The snapshot may cover call events the socket has not delivered yet: take its call too.
    useCallsStore().noteConversation(c);
    return byId.value.get(c.id)!;
  }

  function isShown(id: Id): boolean {
    const visible = typeof document === 'undefined' || document.visibilityState !== 'hidden';
    return viewing.value && activeId.value === id && visible;
  }

  async function loadActive(): Promise<void> {
    loading.value = true;
    try {
      const list = await conversationsApi.list('assigned', true);
      for (const c of list) upsertConversation(c, { takeUnread: true });
      // Previews need the last message, and switching should be instant: agents hold few chats.
      await Promise.allSettled(list.map((c) => loadMessages(c.id)));
      if (activeId.value === null || !active.value.some((c) => c.id === activeId.value)) {
        activeId.value = active.value[0]?.id ?? null;
      }
    } finally {
      loading.value = false;
    }
  }

  /** Fetches the whole history; upserts, so it merges with whatever the socket delivered. */
  async function loadMessages(id: Id): Promise<void> {
    // Staff-only notes load beside the messages; a failure there must not hide the chat.
    void loadNotes(id).catch(() => {});
    const page = await conversationsApi.messages(id, 0);
    const t = thread(id);
    for (const m of page.messages) upsertMessage(t, m);
    t.loaded = true;
    const c = byId.value.get(id);
    // The page saw events the conversation copy did not (it may have closed meanwhile): refresh it.
    if (c && page.last_seq > c.last_seq) void refreshConversation(id).catch(() => {});
  }

  /** The conversation's staff-only lines (notes, whispers, tag lines), upserted by id. */
  async function loadNotes(id: Id): Promise<void> {
    const t = thread(id);
    for (const n of await notesApi.list(id)) t.notes.set(n.id, n);
  }

  function notesOf(id: Id): Note[] {
    const t = threads.value.get(id);
    return t ? [...t.notes.values()] : [];
  }

  /** Writes an internal note (or a supervisor's whisper); it shows at once, the socket echo is a no-op. */
  async function sendNote(id: Id, body: string, mentions: Id[], whisper = false): Promise<void> {
    applyNote(await notesApi.create(id, body, mentions, whisper));
  }

  /** The author edits their internal note; it changes in place (the `note.updated` echo is a no-op). */
  async function editNote(id: Id, noteId: Id, body: string, mentions: Id[]): Promise<void> {
    applyNote(await notesApi.edit(id, noteId, body, mentions));
  }

  async function refreshConversation(id: Id, opts: UpsertOptions = {}): Promise<Conversation | undefined> {
    const c = await conversationsApi.get(id);
    return upsertConversation(c, opts);
  }

  /** Makes sure a conversation first heard of on the socket is known (one request at a time). */
  function ensureConversation(id: Id): Promise<Conversation | undefined> {
    const known = byId.value.get(id);
    if (known) return Promise.resolve(known);
    let p = inFlight.get(id);
    if (!p) {
      p = refreshConversation(id, { takeUnread: true })
        .catch(() => undefined)
        .finally(() => inFlight.delete(id));
      inFlight.set(id, p);
    }
    return p;
  }

  async function open(id: Id | null): Promise<void> {
    activeId.value = id;
    if (id === null) return;
    const t = thread(id);
    if (!t.loaded) await loadMessages(id);
    await markRead(id);
  }

  /** Sends a read receipt up to the newest message when the agent has it on screen. */
  async function markRead(id: Id): Promise<void> {
    const t = threads.value.get(id);
    const c = byId.value.get(id);
    if (!t || !c) return;
    const seq = maxSeq(t);
    const hadUnread = c.unread > 0;
    c.unread = 0;
    if (seq === 0 || (seq <= t.agentReadSeq && !hadUnread)) return;
    t.agentReadSeq = Math.max(t.agentReadSeq, seq);
    await conversationsApi.read(id, seq).catch(() => {
      // A lost receipt only means the visitor sees "unread" a little longer.
    });
  }

  function ownIdentity(id: Id) {
    return {
      conversation_id: id,
      sender: 'agent' as const,
      sender_id: meId.value,
      sender_name: session.user?.name ?? null,
      created_at: new Date().toISOString(),
      attachment: null,
      data: null,
      id: 0,
      seq: 0,
    };
  }

  async function sendText(id: Id, body: string): Promise<void> {
    const text = body.trim();
    if (!text) return;
    const clientId = newClientId();
    addPending(thread(id), { ...ownIdentity(id), kind: 'text', body: text, client_id: clientId });
    stopTyping(id);
    await deliver(id, clientId, text);
  }

  async function deliver(id: Id, clientId: string, body: string): Promise<void> {
    const t = thread(id);
    markPending(t, clientId, 'sending');
    try {
      applyOwnMessage(await conversationsApi.send(id, body, clientId));
    } catch (e) {
      markPending(t, clientId, 'failed');
      throw e;
    }
  }

  /** Sends a failed message again with the same client id, so the server can deduplicate. */
  async function retry(id: Id, clientId: string): Promise<void> {
    const p = threads.value.get(id)?.pending.get(clientId);
    if (p) await deliver(id, clientId, p.body);
  }

  function discard(id: Id, clientId: string): void {
    threads.value.get(id)?.pending.delete(clientId);
  }

  /** Takes a failed message back into the composer to edit (a new send, with a new client id). */
  function editFailed(id: Id, clientId: string): void {
    const p = threads.value.get(id)?.pending.get(clientId);
    if (!p || p.state !== 'failed') return;
    discard(id, clientId);
    useDraftsStore().restore(id, p.body);
  }

  async function sendFile(id: Id, file: File): Promise<void> {
    const clientId = newClientId();
    const t = thread(id);
    addPending(t, {
      ...ownIdentity(id),
      kind: file.type.startsWith('image/') ? 'image' : 'file',
      body: file.name,
      client_id: clientId,
    });
    try {
      const m = await conversationsApi.upload(id, file, clientId);
      t.pending.delete(clientId);
      applyOwnMessage(m);
    } catch (e) {
      // An upload is not retried from the list: the File is gone with the input. Drop the stub.
      t.pending.delete(clientId);
      throw e;
    }
  }

  function applyOwnMessage(m: Message): void {
    upsertMessage(thread(m.conversation_id), m);
    noteReplyWait(m);
  }

  /** The customer's wait for an answer starts at their first unanswered message; a reply ends it. */
  function noteReplyWait(m: Message): void {
    const c = byId.value.get(m.conversation_id);
    if (!c || m.kind === 'event') return;
    if (m.sender === 'agent') c.awaiting_reply_since = null;
    else if (m.sender === 'visitor' && !c.awaiting_reply_since) c.awaiting_reply_since = m.created_at;
  }

  /** Called on every keystroke in the composer: "typing" at most every 3 s, "stopped" after 4 s idle. */
  function noteTyping(id: Id): void {
    const now = Date.now();
    let s = ownTyping.get(id);
    if (!s) {
      s = { lastSent: 0, idle: null };
      ownTyping.set(id, s);
    }
    if (now - s.lastSent >= TYPING_THROTTLE_MS) {
      s.lastSent = now;
      void conversationsApi.typing(id, true).catch(() => {});
    }
    if (s.idle) clearTimeout(s.idle);
    s.idle = setTimeout(() => stopTyping(id), TYPING_IDLE_MS);
  }

  function stopTyping(id: Id): void {
    const s = ownTyping.get(id);
    if (!s) return;
    if (s.idle) clearTimeout(s.idle);
    ownTyping.delete(id);
    if (s.lastSent > 0) void conversationsApi.typing(id, false).catch(() => {});
  }

  async function transfer(id: Id, target: TransferTarget): Promise<void> {
    stopTyping(id);
    upsertConversation(await conversationsApi.transfer(id, target));
    afterLeaving(id);
  }

  /** 接管: I (a supervisor) serve it from now on; it opens in my workspace. */
  async function takeOver(id: Id): Promise<void> {
    const c = await conversationsApi.takeOver(id);
    upsertConversation(c, { takeUnread: true });
    // Lines written while it was not mine yet (the take-over itself) may have passed the socket
    // before the conversation was in my list, and a read-only view may have cached an older log.
    await loadMessages(c.id);
    await open(c.id);
  }

  async function close(id: Id, wrapUpCode: string, note?: string): Promise<void> {
    stopTyping(id);
    upsertConversation(await conversationsApi.close(id, wrapUpCode, note));
    afterLeaving(id);
  }

  /** Blocks the conversation's visitor (supervisor): the server closes the conversation. */
  async function blockVisitor(id: Id, reason: string): Promise<void> {
    const c = byId.value.get(id);
    if (!c) return;
    stopTyping(id);
    await conversationsApi.blockVisitor(c.visitor.id, reason);
    await refreshConversation(id);
    afterLeaving(id);
  }

  /** When the shown conversation leaves my list, show the next one. */
  function afterLeaving(id: Id): void {
    if (activeId.value !== id) return;
    if (active.value.some((c) => c.id === id)) return;
    void open(active.value[0]?.id ?? null);
  }

  // --- socket events, in seq order per conversation (called by the bridge only) ---

  function applyMessageCreated(m: Message, seq: number): void {
    const t = thread(m.conversation_id);
    const result = upsertMessage(t, m);
    const c = byId.value.get(m.conversation_id);
    if (c && seq > c.last_seq) c.last_seq = seq;
    if (result === 'added') noteReplyWait(m);
    if (m.sender === 'visitor') {
      t.visitorTyping = false;
      if (result === 'added' && c && m.seq > t.agentReadSeq) {
        if (isShown(c.id)) void markRead(c.id);
        else c.unread++;
      }
    }
  }

  function applyConversationUpdated(c: Conversation, seq: number): void {
    upsertConversation({ ...c, last_seq: Math.max(c.last_seq, seq) }, { track: false, force: true });
    afterLeaving(c.id);
  }

  function applyMessageRead(id: Id, data: MessageReadData): void {
    const t = thread(id);
    if (data.reader === 'visitor') {
      t.visitorReadSeq = Math.max(t.visitorReadSeq, data.seq);
      return;
    }
    t.agentReadSeq = Math.max(t.agentReadSeq, data.seq);
    const c = byId.value.get(id);
    if (c && t.loaded) c.unread = unreadAfter(t, t.agentReadSeq);
  }

  function applyTyping(id: Id, data: TypingData): void {
    if (data.who !== 'visitor') return;
    const t = thread(id);
    t.visitorTyping = data.typing;
    const old = typingTimers.get(id);
    if (old) clearTimeout(old);
    if (data.typing) {
      typingTimers.set(
        id,
        setTimeout(() => {
          t.visitorTyping = false;
          typingTimers.delete(id);
        }, TYPING_STALE_MS),
      );
    }
  }

  /**
   * A `note.created` or `note.updated` frame (staff only, no seq): upserted by id, so a resume's replay is a no-op.
   * Supervisors hear of every conversation's notes; only those of a conversation loaded here are kept.
   */
  function applyNote(n: Note): void {
    if (!byId.value.has(n.conversation_id) && !threads.value.has(n.conversation_id)) return;
    thread(n.conversation_id).notes.set(n.id, n);
  }

  /** A `conversation.tags` frame, or a tagging answer. */
  function applyTags(id: Id, tags: Tag[]): void {
    const c = byId.value.get(id);
    if (c) c.tags = tags;
  }

  function reset(): void {
    byId.value.clear();
    threads.value.clear();
    activeId.value = null;
    for (const t of typingTimers.values()) clearTimeout(t);
    typingTimers.clear();
    for (const s of ownTyping.values()) if (s.idle) clearTimeout(s.idle);
    ownTyping.clear();
  }

  return {
    byId,
    threads,
    activeId,
    viewing,
    loading,
    active,
    current,
    currentMessages,
    totalUnread,
    thread,
    messagesOf,
    lastMessageOf,
    upsertConversation,
    loadActive,
    loadMessages,
    refreshConversation,
    ensureConversation,
    open,
    markRead,
    sendText,
    retry,
    discard,
    editFailed,
    sendFile,
    noteTyping,
    stopTyping,
    transfer,
    takeOver,
    close,
    blockVisitor,
    applyMessageCreated,
    applyConversationUpdated,
    applyMessageRead,
    applyTyping,
    applyNote,
    applyTags,
    loadNotes,
    notesOf,
    sendNote,
    editNote,
    reset,
  };
});

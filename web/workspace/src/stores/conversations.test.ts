import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { conversationsApi } from '../api/conversations';
import { useConversationsStore } from './conversations';
import { useDraftsStore } from './drafts';
import { useSessionStore } from './session';
import { conversation, message } from './testing';

vi.mock('../api/conversations', () => ({
  conversationsApi: {
    list: vi.fn(),
    get: vi.fn(),
    messages: vi.fn(),
    send: vi.fn(),
    upload: vi.fn(),
    read: vi.fn(),
    typing: vi.fn(),
    transfer: vi.fn(),
    close: vi.fn(),
  },
}));

const api = vi.mocked(conversationsApi);

function setup() {
  setActivePinia(createPinia());
  const session = useSessionStore();
  session.user = { id: 5, email: 'a@x', name: '坐席一', role: 'agent', must_change_password: false };
  const store = useConversationsStore();
  return store;
}

beforeEach(() => {
  vi.resetAllMocks();
  api.read.mockResolvedValue(undefined);
  api.typing.mockResolvedValue(undefined);
});

describe('conversations store: optimistic send', () => {
  it('shows the message at once, then swaps in the server copy by client_id', async () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1, last_seq: 2 }));
    let resolve!: (m: ReturnType<typeof message>) => void;
    api.send.mockImplementation(() => new Promise((r) => (resolve = r)));

    const sending = store.sendText(1, '  您好，请问有什么可以帮您？ ');
    const [pending] = store.messagesOf(1);
    expect(pending).toMatchObject({ state: 'sending', body: '您好，请问有什么可以帮您？', sender: 'agent' });
    const clientId = api.send.mock.calls[0]![2];
    expect(pending!.client_id).toBe(clientId);

    resolve(message({ id: 50, seq: 3, sender: 'agent', body: '您好，请问有什么可以帮您？', client_id: clientId }));
    await sending;
    expect(store.messagesOf(1)).toMatchObject([{ id: 50, state: 'sent' }]);
  });

  it('does not duplicate when the socket echo arrives before the POST answer', async () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1 }));
    let resolve!: (m: ReturnType<typeof message>) => void;
    api.send.mockImplementation(() => new Promise((r) => (resolve = r)));
    const sending = store.sendText(1, 'hi');
    const clientId = api.send.mock.calls[0]![2];
    const server = message({ id: 51, seq: 1, sender: 'agent', body: 'hi', client_id: clientId });

    store.applyMessageCreated(server, 1);
    resolve({ ...server });
    await sending;
    expect(store.messagesOf(1)).toHaveLength(1);
  });

  it('marks a failed send and retries it with the same client_id', async () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1 }));
    api.send.mockRejectedValueOnce(new Error('offline'));
    await expect(store.sendText(1, 'hi')).rejects.toThrow('offline');
    const [failed] = store.messagesOf(1);
    expect(failed!.state).toBe('failed');

    api.send.mockResolvedValueOnce(message({ id: 52, seq: 1, sender: 'agent', body: 'hi', client_id: failed!.client_id }));
    await store.retry(1, failed!.client_id!);
    expect(api.send.mock.calls[1]![2]).toBe(failed!.client_id);
    expect(store.messagesOf(1)).toMatchObject([{ id: 52, state: 'sent' }]);
  });

  it('uploads a file with the client id of its placeholder, which the server copy replaces', async () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1 }));
    const file = new File(['png'], 'shot.png', { type: 'image/png' });
    let clientId = '';
    api.upload.mockImplementationOnce(async (_id, _f, cid) => {
      clientId = cid!;
      expect(store.messagesOf(1)).toMatchObject([{ kind: 'image', state: 'sending', client_id: cid }]);
      return message({ id: 60, seq: 2, sender: 'agent', kind: 'image', body: 'shot.png', client_id: cid! });
    });
    await store.sendFile(1, file);
    expect(clientId).not.toBe('');
    expect(store.messagesOf(1)).toMatchObject([{ id: 60, state: 'sent' }]);
  });

  it('takes a failed message back into the composer, ahead of what was typed since', async () => {
    sessionStorage.clear();
    const store = setup();
    store.upsertConversation(conversation({ id: 1 }));
    api.send.mockRejectedValueOnce(new Error('offline'));
    await expect(store.sendText(1, '您的卡已解锁')).rejects.toThrow('offline');
    const drafts = useDraftsStore();
    drafts.set(1, '还有别的问题吗');
    const [failed] = store.messagesOf(1);
    store.editFailed(1, failed!.client_id!);
    expect(store.messagesOf(1)).toHaveLength(0);
    expect(drafts.get(1)).toBe('您的卡已解锁\n还有别的问题吗');
    expect(drafts.restored).toMatchObject({ conversation: 1 });
  });

  it('does not take back a message that is still sending', () => {
    sessionStorage.clear();
    const store = setup();
    store.upsertConversation(conversation({ id: 1 }));
    api.send.mockReturnValueOnce(new Promise(() => {}));
    void store.sendText(1, 'hi');
    const [sending] = store.messagesOf(1);
    store.editFailed(1, sending!.client_id!);
    expect(store.messagesOf(1)).toHaveLength(1);
    expect(useDraftsStore().get(1)).toBe('');
  });
});

describe('conversations store: unread', () => {
  it('counts new visitor messages of conversations not on screen, once each', () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1, unread: 0 }));
    store.applyMessageCreated(message({ id: 1, seq: 1 }), 1);
    store.applyMessageCreated(message({ id: 2, seq: 2 }), 2);
    store.applyMessageCreated(message({ id: 2, seq: 2 }), 2); // replay
    store.applyMessageCreated(message({ id: 3, seq: 3, sender: 'agent' }), 3);
    expect(store.byId.get(1)!.unread).toBe(2);
    expect(store.totalUnread).toBe(2);
  });

  it('does not count messages of the conversation the agent is looking at, and sends a receipt', async () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1 }));
    api.messages.mockResolvedValue({ messages: [], last_seq: 0 });
    store.viewing = true;
    await store.open(1);
    store.applyMessageCreated(message({ id: 7, seq: 1 }), 1);
    await Promise.resolve();
    expect(store.byId.get(1)!.unread).toBe(0);
    expect(api.read).toHaveBeenCalledWith(1, 1);
  });

  it('takes unread from REST answers but keeps the local count on events', () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1, unread: 4, last_seq: 4 }), { takeUnread: true });
    store.applyConversationUpdated(conversation({ id: 1, unread: 0, last_seq: 5, topic: '退款' }), 5);
    expect(store.byId.get(1)).toMatchObject({ unread: 4, topic: '退款', last_seq: 5 });
  });

  it('opening a conversation clears its unread count', async () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1, unread: 2, last_seq: 2 }), { takeUnread: true });
    api.messages.mockResolvedValue({ messages: [message({ id: 1, seq: 1 }), message({ id: 2, seq: 2 })], last_seq: 2 });
    store.viewing = true;
    await store.open(1);
    expect(store.byId.get(1)!.unread).toBe(0);
    expect(api.read).toHaveBeenCalledWith(1, 2);
  });

  it('an agent read receipt from another tab recomputes unread', () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1 }));
    const t = store.thread(1);
    t.loaded = true;
    for (const seq of [1, 2, 3]) store.applyMessageCreated(message({ id: seq, seq }), seq);
    expect(store.byId.get(1)!.unread).toBe(3);
    store.applyMessageRead(1, { reader: 'agent', seq: 2 });
    expect(store.byId.get(1)!.unread).toBe(1);
  });
});

describe('conversations store: state', () => {
  it('never lets an older copy overwrite a newer one', () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1, last_seq: 9, status: 'closed' }));
    store.upsertConversation(conversation({ id: 1, last_seq: 3, status: 'assigned' }));
    expect(store.byId.get(1)!.status).toBe('closed');
  });

  it('lists only open conversations assigned to me, oldest assignment first', () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1, assigned_at: '2026-11-21T10:05:00Z' }));
    store.upsertConversation(conversation({ id: 2, assigned_at: '2026-11-21T10:01:00Z' }));
    store.upsertConversation(conversation({ id: 3, agent_id: 6 }));
    store.upsertConversation(conversation({ id: 4, status: 'closed' }));
    expect(store.active.map((c) => c.id)).toEqual([2, 1]);
  });

  it('remembers how far the visitor has read', () => {
    const store = setup();
    store.applyMessageRead(1, { reader: 'visitor', seq: 4 });
    store.applyMessageRead(1, { reader: 'visitor', seq: 2 });
    expect(store.thread(1).visitorReadSeq).toBe(4);
  });

  it('takes the read marks a loaded conversation carries (so "read" survives a reload)', () => {
    const store = setup();
    store.upsertConversation(conversation({ id: 1, visitor_read_seq: 6, agent_read_seq: 5, last_seq: 7 }));
    expect(store.thread(1).visitorReadSeq).toBe(6);
    expect(store.thread(1).agentReadSeq).toBe(5);
    // An older copy never lowers them.
    store.applyConversationUpdated(conversation({ id: 1, visitor_read_seq: 2, agent_read_seq: 0, last_seq: 8 }), 8);
    expect(store.thread(1).visitorReadSeq).toBe(6);
  });

  it('moves to the next conversation when the shown one is closed', async () => {
    const store = setup();
    api.messages.mockResolvedValue({ messages: [], last_seq: 0 });
    store.upsertConversation(conversation({ id: 1, assigned_at: '2026-11-21T10:00:00Z' }));
    store.upsertConversation(conversation({ id: 2, assigned_at: '2026-11-21T10:01:00Z' }));
    await store.open(1);
    store.applyConversationUpdated(conversation({ id: 1, status: 'closed', last_seq: 3 }), 3);
    expect(store.activeId).toBe(2);
  });
});

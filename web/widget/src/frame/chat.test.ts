// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { translator } from '../i18n';
import type { Api } from './api';
import { AttachmentCache } from './attachments';
import { ChatSession } from './chat';
import type { Conversation } from './types';

vi.mock('../call/call-screen', () => ({ DeviceError: Error, openLocalMedia: vi.fn(), CallScreen: { start: vi.fn() } }));

const t = translator('zh-CN');
const flush = () => new Promise((r) => setTimeout(r, 0));
const queued = (position: number, over: Partial<Conversation> = {}) =>
  ({ id: 1, status: 'queued', last_seq: 1, agent_read_seq: 0, assigned_at: null, call: null, queue: { position, estimated_wait_secs: 60 * position }, ...over }) as unknown as Conversation;

let api: { conversation: ReturnType<typeof vi.fn>; messages: ReturnType<typeof vi.fn>; read: ReturnType<typeof vi.fn> };

async function chat(): Promise<ChatSession> {
  const deps = {
    api: api as unknown as Api,
    t,
    locale: 'zh-CN' as const,
    attachments: new AttachmentCache(api as unknown as Api),
    isVisible: () => true,
    onUnread: () => {},
    onNewConversation: () => {},
    notify: () => {},
    send: () => true,
  };
  const c = new ChatSession(queued(5), deps);
  document.body.replaceChildren(c.view.el);
  await c.load();
  return c;
}
const place = () => document.querySelector<HTMLElement>('[data-testid="queue-position"]')?.dataset.position;

beforeEach(() => {
  api = {
    conversation: vi.fn().mockResolvedValue(queued(5)),
    messages: vi.fn().mockResolvedValue({ messages: [], last_seq: 1 }),
    read: vi.fn().mockResolvedValue(undefined),
  };
});

describe('ChatSession: what has no seq (widget)', () => {
  it('reads its place in line again when the server says frames may have been lost', async () => {
    const c = await chat();
    expect(place()).toBe('5');
    // The queue.position frames went to a node cut off from this one.
    api.conversation.mockResolvedValue(queued(2));
    c.ephemeral({ type: 'resync', data: { reason: 'bus_reconnected' } });
    await flush();
    expect(place()).toBe('2');
    // An agent took it meanwhile: the state follows too.
    api.conversation.mockResolvedValue(queued(0, { status: 'assigned', last_seq: 2, agent_name: '小李' }));
    c.ephemeral({ type: 'resync', data: { reason: 'bus_reconnected' } });
    await flush();
    expect(c.conversation.status).toBe('assigned');
    expect(place()).toBeUndefined();
    c.dispose();
  });

  it('reads it again after the socket was down, not on every open, and never takes an older copy', async () => {
    const c = await chat();
    c.setConnected(true);
    await flush();
    expect(api.conversation).toHaveBeenCalledTimes(1);
    c.setConnected(false);
    api.conversation.mockResolvedValue(queued(3));
    c.setConnected(true);
    await flush();
    expect(place()).toBe('3');
    c.apply({ type: 'conversation.updated', conversation_id: 1, seq: 4, data: queued(1, { last_seq: 4 }) });
    api.conversation.mockResolvedValue(queued(3, { last_seq: 3 }));
    c.ephemeral({ type: 'resync', data: { reason: 'bus_reconnected' } });
    await flush();
    expect(place()).toBe('1');
    c.dispose();
  });
});

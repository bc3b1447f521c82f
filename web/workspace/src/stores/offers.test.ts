import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { conversationsApi } from '../api/conversations';
import { ApiError } from '../api/client';
import { useConversationsStore } from './conversations';
import { useOffersStore } from './offers';
import { reportWarning } from '../app/feedback';
import { loadFeatures, setLocale } from '../app/i18n';
import { useSessionStore } from './session';
import { conversation } from './testing';

vi.mock('../app/feedback', () => ({ reportWarning: vi.fn() }));
vi.mock('../api/conversations', () => ({
  conversationsApi: { list: vi.fn(), accept: vi.fn(), decline: vi.fn(), messages: vi.fn(), read: vi.fn() },
}));
const api = vi.mocked(conversationsApi);

beforeEach(() => {
  vi.resetAllMocks();
  setActivePinia(createPinia());
  useSessionStore().user = { id: 5, email: 'a@x', name: 'A', role: 'agent', must_change_password: false };
  api.messages.mockResolvedValue({ messages: [], last_seq: 0 });
  api.read.mockResolvedValue(undefined);
});

describe('offers store', () => {
  it('loads pending offers on start, with their deadline from the conversation', async () => {
    api.list.mockResolvedValue([
      conversation({ id: 3, status: 'offered', agent_id: null, offered_agent_id: 5, offer_expires_at: '2026-11-21T10:00:30Z' }),
    ]);
    const offers = useOffersStore();
    await offers.loadPending();
    expect(api.list).toHaveBeenCalledWith('offered', true);
    expect(offers.current).toMatchObject({ conversation: { id: 3 }, expires_at: '2026-11-21T10:00:30Z' });
    expect(offers.arrivals).toBe(1);
  });

  it('skips a listed offer that is for another agent', async () => {
    api.list.mockResolvedValue([conversation({ id: 4, status: 'offered', agent_id: null, offered_agent_id: 9 })]);
    const offers = useOffersStore();
    await offers.loadPending();
    expect(offers.offers).toHaveLength(0);
  });

  it('an offer event without a deadline falls back to the conversation\'s', () => {
    const offers = useOffersStore();
    offers.add(conversation({ id: 3, status: 'offered', offer_expires_at: '2026-11-21T10:00:45Z' }), null);
    expect(offers.current?.expires_at).toBe('2026-11-21T10:00:45Z');
  });

  it('a repeated offer does not ring twice but keeps the known deadline', () => {
    const offers = useOffersStore();
    offers.add(conversation({ id: 3, status: 'offered' }), '2026-11-21T10:00:30Z');
    offers.add(conversation({ id: 3, status: 'offered' }), null);
    expect(offers.offers).toHaveLength(1);
    expect(offers.arrivals).toBe(1);
    expect(offers.current?.expires_at).toBe('2026-11-21T10:00:30Z');
  });

  it('accepting moves the conversation into my list and opens it', async () => {
    const offers = useOffersStore();
    const conversations = useConversationsStore();
    offers.add(conversation({ id: 3, status: 'offered', agent_id: null }), null);
    api.accept.mockResolvedValue(conversation({ id: 3, status: 'assigned', agent_id: 5, last_seq: 4 }));
    await offers.accept(3);
    expect(offers.offers).toHaveLength(0);
    expect(conversations.active.map((c) => c.id)).toEqual([3]);
    expect(conversations.activeId).toBe(3);
  });

  it('a lapsed offer disappears even when accepting fails', async () => {
    const offers = useOffersStore();
    offers.add(conversation({ id: 3, status: 'offered' }), null);
    api.accept.mockRejectedValue(new ApiError(409, 'conflict', 'offer expired'));
    await expect(offers.accept(3)).rejects.toThrow('offer expired');
    expect(offers.offers).toHaveLength(0);
  });

  it('says in words why an offer on screen was withdrawn, but not when I declined it', async () => {
    await setLocale('zh-CN');
    await loadFeatures(['agent']);
    const offers = useOffersStore();
    offers.add(conversation({ id: 7, status: 'offered', agent_id: null }), null);
    offers.revoked(7, 'declined');
    expect(reportWarning).not.toHaveBeenCalled();
    offers.add(conversation({ id: 8, status: 'offered', agent_id: null }), null);
    offers.revoked(8, 'ended');
    expect(offers.offers).toHaveLength(0);
    expect(reportWarning).toHaveBeenCalledWith('会话邀请已撤回：客户已离开');
    offers.revoked(9, 'expired');
    expect(reportWarning).toHaveBeenCalledTimes(1);
  });
});

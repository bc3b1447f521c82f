// The customer panel's earlier conversations: the server pages them 50 at a time, newest first;
// "load older" appends the next page until the oldest is shown.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { conversationsApi } from '../../api/conversations';
import { i18n, loadFeatures, setLocale } from '../../app/i18n';
import { conversation, visitor } from '../../stores/testing';
import CustomerPanel from './CustomerPanel.vue';

vi.mock('../../api/conversations', () => ({ conversationsApi: { ofVisitor: vi.fn() } }));
vi.mock('../../api/tags', () => ({ tagsApi: { ofVisitor: vi.fn().mockResolvedValue([]), list: vi.fn().mockResolvedValue([]) } }));
const api = vi.mocked(conversationsApi);

const past = (id: number) => conversation({ id, status: 'closed', created_at: new Date(Date.UTC(2026, 0, id)).toISOString() });

beforeAll(async () => {
  await setLocale('en');
  await loadFeatures(['common', 'agent', 'notes']);
});

beforeEach(() => {
  vi.clearAllMocks();
  setActivePinia(createPinia());
});

describe('customer panel history', () => {
  it('shows the newest page, loads older pages on request, and hides the button at the oldest', async () => {
    api.ofVisitor.mockResolvedValueOnce({ conversations: [past(30), past(29)], next_after: 29 });
    api.ofVisitor.mockResolvedValueOnce({ conversations: [past(29), past(28)], next_after: null });
    const current = conversation({ id: 99, visitor: visitor({ id: 7 }) });
    const w = mount(CustomerPanel, { props: { conversation: current }, global: { plugins: [i18n], stubs: { PastConversationDialog: true } } });
    await flushPromises();
    const ids = () => w.findAll('[data-testid=history-item]').map((b) => Number(b.attributes('data-conversation-id')));
    expect(ids()).toEqual([30, 29]);
    expect(api.ofVisitor).toHaveBeenLastCalledWith(7);
    const older = w.find('[data-testid=history-older]');
    expect(older.text()).toBe('Load older conversations');
    await older.trigger('click');
    await flushPromises();
    expect(api.ofVisitor).toHaveBeenLastCalledWith(7, 29);
    expect(ids()).toEqual([30, 29, 28]);
    expect(w.find('[data-testid=history-older]').exists()).toBe(false);
    w.unmount();
  });
});

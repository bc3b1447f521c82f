import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Api from '@kefu/api';
import { conversation } from './testing';

const conversations = vi.fn();
vi.mock('../api/search', () => ({ searchApi: { conversations: (p: unknown) => conversations(p) } }));

import { emptyForm, paramsOf, useSearchStore } from './search';

const page = (ids: number[], next: string | null = null): Api.SearchPage => ({
  results: ids.map((id) => ({ conversation: conversation({ id }), snippet: null, matches: 0 })),
  next_cursor: next,
});

describe('search store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    conversations.mockReset();
  });

  it('leaves blank fields out of the request', () => {
    expect(paramsOf({ ...emptyForm(), q: '  分期 ', agentId: 3, status: 'closed' })).toEqual({
      limit: 20,
      q: '分期',
      agent_id: 3,
      status: 'closed',
    });
  });

  it('pages with the same question and the cursor, without repeats', async () => {
    const s = useSearchStore();
    conversations.mockResolvedValueOnce(page([3, 2], 'w.2')).mockResolvedValueOnce(page([2, 1]));
    await s.search({ ...emptyForm(), q: '退款' });
    await s.more();
    expect(conversations).toHaveBeenLastCalledWith({ limit: 20, q: '退款', cursor: 'w.2' });
    expect(s.results.map((r) => r.conversation.id)).toEqual([3, 2, 1]);
    expect(s.next).toBeNull();
  });

  it('drops the answer of a search a newer one replaced', async () => {
    const s = useSearchStore();
    let answerOld: (p: Api.SearchPage) => void = () => {};
    conversations.mockReturnValueOnce(new Promise((r) => (answerOld = r))).mockResolvedValueOnce(page([7]));
    const old = s.search({ ...emptyForm(), q: 'old' });
    await s.search({ ...emptyForm(), q: 'new' });
    answerOld(page([1]));
    await old;
    expect(s.results.map((r) => r.conversation.id)).toEqual([7]);
    expect(s.loading).toBe(false);
  });
});

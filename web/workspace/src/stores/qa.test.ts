import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { qaApi } from '../api/qa';
import { useQaStore } from './qa';

vi.mock('../api/qa', () => ({ QA_PAGE: 2, qaApi: { mine: vi.fn(), queue: vi.fn(), appeals: vi.fn(), rules: vi.fn(), removeRule: vi.fn() } }));
const api = vi.mocked(qaApi);

const item = (conversation_id: number) => ({ conversation_id, reason: 'flagged' }) as never;
const appeal = (id: number) => ({ id, status: 'open' }) as never;

beforeEach(() => {
  vi.resetAllMocks();
  setActivePinia(createPinia());
});

describe('the QA lists come a page at a time', () => {
  it('the queue shows the first page and appends the next after the last row', async () => {
    const qa = useQaStore();
    api.queue.mockResolvedValueOnce({ rows: [item(5), item(3)], next: 3, total: 3 });
    await qa.loadQueue();
    expect(api.queue).toHaveBeenLastCalledWith(undefined);
    expect([qa.queue.length, qa.pages.queue.total, qa.pages.queue.hasMore]).toEqual([2, 3, true]);
    api.queue.mockResolvedValueOnce({ rows: [item(9)], next: null, total: 3 });
    await qa.pages.queue.more();
    expect(api.queue).toHaveBeenLastCalledWith(3);
    expect(qa.queue.map((i) => i.conversation_id)).toEqual([5, 3, 9]);
    expect(qa.pages.queue.hasMore).toBe(false);
    await qa.pages.queue.more();
    expect(api.queue).toHaveBeenCalledTimes(2);
  });

  it('appeals page with the filter they were loaded with, and a new filter starts over', async () => {
    const qa = useQaStore();
    api.appeals.mockResolvedValueOnce({ rows: [appeal(1), appeal(2)], next: 2, total: 4 });
    await qa.loadAppeals('open');
    api.appeals.mockResolvedValueOnce({ rows: [appeal(3)], next: 3, total: 4 });
    await qa.pages.appeals.more();
    expect(api.appeals).toHaveBeenLastCalledWith('open', 2);
    expect(qa.appeals.map((a) => a.id)).toEqual([1, 2, 3]);
    api.appeals.mockResolvedValueOnce({ rows: [appeal(7)], next: null, total: 1 });
    await qa.loadAppeals(undefined);
    expect(api.appeals).toHaveBeenLastCalledWith(undefined, undefined);
    expect(qa.appeals.map((a) => a.id)).toEqual([7]);
  });

  it('my results carry what the caller may do, from the first page on', async () => {
    const qa = useQaStore();
    api.mine.mockResolvedValueOnce({ results: [], can_review: true, can_judge: false, next_after: null, total: 0 } as never);
    await qa.loadMine();
    expect([qa.canReview, qa.canJudge, qa.pages.mine.hasMore]).toEqual([true, false, false]);
  });

  it('a removed rule leaves the page and the count', async () => {
    const qa = useQaStore();
    api.rules.mockResolvedValueOnce({ rows: [{ id: 1 }, { id: 2 }] as never, next: 2, total: 5 });
    await qa.loadRules();
    api.removeRule.mockResolvedValueOnce(undefined as never);
    await qa.removeRule(1);
    expect([qa.rules.map((r) => r.id), qa.pages.rules.total]).toEqual([[2], 4]);
  });
});

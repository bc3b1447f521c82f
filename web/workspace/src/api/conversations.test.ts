import { beforeEach, describe, expect, it, vi } from 'vitest';
import { http } from './client';
import { conversationsApi } from './conversations';

vi.mock('./client', () => ({ http: { get: vi.fn() } }));
const get = vi.mocked(http.get);

beforeEach(() => vi.resetAllMocks());

describe('conversationsApi.list', () => {
  it('follows the pages until the last (the server sends 200 at a time)', async () => {
    get.mockResolvedValueOnce({ conversations: [{ id: 5 }, { id: 4 }], next_after: 4 });
    get.mockResolvedValueOnce({ conversations: [{ id: 2 }], next_after: null });
    const all = await conversationsApi.list('assigned', false);
    expect(all.map((c) => c.id)).toEqual([5, 4, 2]);
    expect(get).toHaveBeenNthCalledWith(1, '/conversations', { status: 'assigned', mine: undefined, after: undefined });
    expect(get).toHaveBeenNthCalledWith(2, '/conversations', { status: 'assigned', mine: undefined, after: 4 });
  });
});

import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { integrationsApi } from '../api/integrations';
import { useAdminIntegrationsStore } from './adminIntegrations';

vi.mock('../api/integrations', () => ({ integrationsApi: { deliveries: vi.fn() } }));
const api = vi.mocked(integrationsApi);

const delivery = (id: number) =>
  ({ id, event: 'conversation.created', status: 'delivered', attempts: 1, last_status_code: 200, last_error: null, next_attempt_at: '', created_at: '' }) as never;

beforeEach(() => {
  vi.resetAllMocks();
  setActivePinia(createPinia());
});

describe('webhook deliveries', () => {
  it('shows the newest page, appends older pages on request, and starts over on refresh', async () => {
    const s = useAdminIntegrationsStore();
    api.deliveries.mockResolvedValueOnce({ deliveries: [delivery(9), delivery(8)], total: 3, next_after: 8 });
    await s.loadDeliveries(1);
    expect(api.deliveries).toHaveBeenLastCalledWith(1, undefined);
    api.deliveries.mockResolvedValueOnce({ deliveries: [delivery(7)], total: 3, next_after: null });
    await s.loadDeliveries(1, true);
    expect(api.deliveries).toHaveBeenLastCalledWith(1, 8);
    expect(s.deliveries.get(1)?.map((d) => d.id)).toEqual([9, 8, 7]);
    expect(s.deliveryPages.get(1)).toEqual({ total: 3, next_after: null });
    // The last page: nothing more to ask.
    await s.loadDeliveries(1, true);
    expect(api.deliveries).toHaveBeenCalledTimes(2);
    api.deliveries.mockResolvedValueOnce({ deliveries: [delivery(10), delivery(9)], total: 4, next_after: 9 });
    await s.loadDeliveries(1);
    expect(s.deliveries.get(1)?.map((d) => d.id)).toEqual([10, 9]);
  });
});

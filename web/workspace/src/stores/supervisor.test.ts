import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { statsApi } from '../api/stats';
import { POLL_INTERVAL_MS, useSupervisorStore } from './supervisor';
import { agent } from './testing';

vi.mock('../api/stats', () => ({ statsApi: { live: vi.fn() } }));
const api = vi.mocked(statsApi);

const today = {
  offered: 10, answered: 9, abandoned: 1, abandoned_short: 0, waiting_past_target: 0, service_level_judged: 10, service_level: 0.8, service_level_target_secs: 20,
  asa_secs: 12, abandonment_rate: 0.1, aht_secs: 200, csat_average: 4.5,
};

beforeEach(() => {
  vi.useFakeTimers();
  vi.resetAllMocks();
  setActivePinia(createPinia());
  api.live.mockResolvedValue({ groups: [], agents: [agent({ id: 6, status: 'ready' })], today, waiting: [] });
});

afterEach(() => vi.useRealTimers());

describe('supervisor store', () => {
  it('polls every 3 s while watched, and stops when the last watcher leaves', async () => {
    const s = useSupervisorStore();
    s.startPolling();
    s.startPolling();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.live).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 2);
    expect(api.live).toHaveBeenCalledTimes(3);
    s.stopPolling();
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(api.live).toHaveBeenCalledTimes(4);
    s.stopPolling();
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 3);
    expect(api.live).toHaveBeenCalledTimes(4);
  });

  it('agent.status events update rows between polls', async () => {
    const s = useSupervisorStore();
    await s.refresh();
    s.applyAgent(agent({ id: 6, status: 'away', away_reason: 'meal' }));
    expect(s.stats?.agents[0]).toMatchObject({ status: 'away', away_reason: 'meal' });
  });

  it('keeps the last figures and reports the error when a poll fails', async () => {
    const s = useSupervisorStore();
    await s.refresh();
    api.live.mockRejectedValueOnce(new Error('server busy'));
    await s.refresh();
    expect(s.error).toBe('server busy');
    expect(s.stats?.today.service_level).toBe(0.8);
  });

  it('a floor change re-reads the figures at once, one request at a time, only while watched', async () => {
    const s = useSupervisorStore();
    s.floorChanged();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.live).not.toHaveBeenCalled();
    s.startPolling();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.live).toHaveBeenCalledTimes(1);
    let release: () => void = () => {};
    api.live.mockImplementationOnce(() => new Promise((r) => (release = () => r({ groups: [], agents: [], today, waiting: [] }))));
    s.floorChanged();
    s.floorChanged();
    s.floorChanged();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.live).toHaveBeenCalledTimes(2);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.live).toHaveBeenCalledTimes(3);
    s.stopPolling();
  });
});

import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertView, FloorView } from '../api/types';
import { floorApi } from '../api/floor';
import { mergeAlerts, useFloorStore } from './floor';

vi.mock('../api/floor', () => ({ floorApi: { floor: vi.fn(), alerts: vi.fn(), activeAlerts: vi.fn() } }));
vi.mock('../features/agent/offerAlert', () => ({ notify: vi.fn() }));

function alert(id: number, over: Partial<AlertView> = {}): AlertView {
  return {
    id,
    group_id: 1,
    group_name: 'Cards',
    metric: 'waiting',
    level: 'warning',
    peak_level: 'warning',
    value: 2,
    threshold: 2,
    raised_at: `2026-12-01T10:00:0${id}Z`,
    cleared_at: null,
    ...over,
  };
}

const view = (asOf: string, waiting: number): FloorView => ({
  as_of: asOf,
  service_level_min_judged: 10,
  groups: [
    {
      id: 1, name: 'Cards', waiting, longest_wait_secs: 0, waiting_since: null, service_level: 1, service_level_target_secs: 20, service_level_judged: 0, offered: 0, answered: 0,
      agents: { ready: 0, busy: 0, away: 0, wrap_up: 0, offline: 0 },
      thresholds: {
        group_id: 1, custom: false, waiting_warning: 5, waiting_critical: 10, longest_wait_warning_secs: 60,
        longest_wait_critical_secs: 180, service_level_warning_pct: 80, service_level_critical_pct: 60,
      },
    },
  ],
});

beforeEach(() => setActivePinia(createPinia()));

describe('floor store', () => {
  it('keeps the newest floor and ignores an older one arriving late', () => {
    const s = useFloorStore();
    s.applyFloor(view('2026-12-01T10:00:02Z', 1));
    s.applyFloor(view('2026-12-01T10:00:01Z', 0));
    expect(s.floor?.groups[0]?.waiting).toBe(1);
  });

  it('lists alerts newest first and drops cleared ones from the active list', () => {
    const s = useFloorStore();
    s.applyAlert(alert(1));
    s.applyAlert(alert(2, { metric: 'longest_wait' }));
    expect(s.alerts.map((a) => a.id)).toEqual([2, 1]);
    s.applyAlert(alert(1, { cleared_at: '2026-12-01T10:01:00Z' }));
    expect(s.active.map((a) => a.id)).toEqual([2]);
  });

  it('never lets a snapshot undo a clear that arrived while it loaded', () => {
    const cleared = alert(1, { cleared_at: '2026-12-01T10:01:00Z' });
    expect(mergeAlerts([alert(1)], [cleared])[0]?.cleared_at).toBe(cleared.cleared_at);
    expect(mergeAlerts([cleared], [alert(1)])[0]?.cleared_at).toBe(cleared.cleared_at);
    expect(mergeAlerts([alert(1)], [alert(1, { level: 'critical' })])[0]?.level).toBe('critical');
  });

  it('loads today\'s first page, then older pages under it until the last', async () => {
    vi.mocked(floorApi.floor).mockResolvedValue(view('2026-12-01T10:00:02Z', 0));
    vi.mocked(floorApi.activeAlerts).mockResolvedValue([]);
    vi.mocked(floorApi.alerts)
      .mockResolvedValueOnce({ alerts: [alert(5), alert(4)], total: 4, next_after: 4 })
      .mockResolvedValueOnce({ alerts: [alert(3), alert(2)], total: 4, next_after: null });
    const s = useFloorStore();
    await s.load();
    expect([s.total, s.olderAfter]).toEqual([4, 4]);
    expect(s.alerts.map((a) => a.id)).toEqual([5, 4]);
    await s.loadOlder();
    expect(floorApi.alerts).toHaveBeenLastCalledWith(4);
    expect(s.alerts.map((a) => a.id)).toEqual([5, 4, 3, 2]);
    expect(s.olderAfter).toBeNull();
  });

  it('shows an alert still active that is older than the first page, without "load older"', async () => {
    vi.mocked(floorApi.floor).mockResolvedValue(view('2026-12-01T10:00:02Z', 0));
    vi.mocked(floorApi.alerts).mockResolvedValueOnce({ alerts: [alert(5, { cleared_at: '2026-12-01T10:01:00Z' })], total: 3, next_after: 5 });
    vi.mocked(floorApi.activeAlerts).mockResolvedValue([alert(1)]);
    const s = useFloorStore();
    await s.load();
    expect(s.active.map((a) => a.id)).toEqual([1]);
    expect(s.alerts.map((a) => a.id)).toEqual([5, 1]);
  });
});

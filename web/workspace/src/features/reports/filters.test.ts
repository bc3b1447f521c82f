import { describe, expect, it } from 'vitest';
import { apiQuery, filtersQuery, parseFilters } from './filters';

describe('report filters', () => {
  it('round-trips through the URL query', () => {
    const f = parseFilters({ tab: 'agents', from: '2026-11-01', to: '2026-11-30', interval: '30m', by: 'channel', groups: '1,2' }, '2026-12-01');
    expect(f).toEqual({ tab: 'agents', from: '2026-11-01', to: '2026-11-30', interval: '30m', by: 'channel', groups: [1, 2], businessTypes: [], channels: [] });
    expect(parseFilters(filtersQuery(f) as never, '2026-12-01')).toEqual(f);
  });

  it('falls back to today and defaults on anything unknown', () => {
    const f = parseFilters({ from: 'yesterday', to: '2026-01-01', interval: 'hour', by: 'mood', groups: 'x,-1,3' }, '2026-12-01');
    expect(f).toEqual({ tab: 'conversations', from: '2026-12-01', to: '2026-12-01', interval: 'day', by: 'group', groups: [3], businessTypes: [], channels: [] });
  });

  it('asks the API for the groups only when some are chosen', () => {
    const f = parseFilters({}, '2026-12-01');
    expect(apiQuery(f, 'total')).toEqual({ from: '2026-12-01', to: '2026-12-01', interval: 'day', by: 'total', group_ids: undefined });
    expect(apiQuery({ ...f, groups: [2] }).group_ids).toBe('2');
  });

  it('carries business types and channels for the reasons tab, not for agent states', () => {
    const f = parseFilters({ tab: 'reasons', business_types: '1,x', channels: 'web,fax,h5' }, '2026-12-01');
    expect([f.tab, f.businessTypes, f.channels]).toEqual(['reasons', [1], ['web', 'h5']]);
    expect(parseFilters(filtersQuery(f) as never, '2026-12-01')).toEqual(f);
    expect(apiQuery(f)).toMatchObject({ business_type_ids: '1', channels: 'web,h5' });
    const agents = apiQuery({ ...f, tab: 'agents' });
    expect([agents.business_type_ids, agents.channels]).toEqual([undefined, undefined]);
  });
});

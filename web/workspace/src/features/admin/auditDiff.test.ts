import { describe, expect, it } from 'vitest';
import { changedFields } from './auditDiff';

describe('changedFields', () => {
  it('lists only the fields whose value changed', () => {
    expect(changedFields({ id: 1, name: '售前', tags: [1] }, { id: 1, name: '售前咨询', tags: [1, 2] })).toEqual([
      { field: 'name', before: '售前', after: '售前咨询' },
      { field: 'tags', before: '[1]', after: '[1,2]' },
    ]);
  });
  it('shows a created object as all new and a deleted one as all gone', () => {
    expect(changedFields(null, { name: 'a' })).toEqual([{ field: 'name', before: '', after: 'a' }]);
    expect(changedFields({ name: 'a' }, null)).toEqual([{ field: 'name', before: 'a', after: '' }]);
  });
  it('wraps plain values such as a recording policy', () => {
    expect(changedFields('off', 'always')).toEqual([{ field: 'value', before: 'off', after: 'always' }]);
  });
});

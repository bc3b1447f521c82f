import { describe, expect, it } from 'vitest';
import type { MaturityCheck } from '../../api/maturity';
import { checkValue } from './checks';

const check = (key: string, source: MaturityCheck['source'] = 'data'): MaturityCheck => ({ key, level: 3, source, value: null, target: 0, passed: false });
const word = (n: number) => ['no', 'partly', 'mostly', 'fully'][n] ?? '?';

describe('maturity check values', () => {
  it('reads shares, CSAT, trends, counts and answers', () => {
    expect(checkValue(check('video_share'), 0.053, word)).toBe('5.3%');
    expect(checkValue(check('csat_average'), 4.5, word)).toBe('4.50');
    expect(checkValue(check('csat_trend'), 0.1, word)).toBe('+0.10');
    expect(checkValue(check('csat_trend'), -0.25, word)).toBe('-0.25');
    expect(checkValue(check('webhooks'), 2, word)).toBe('2');
    expect(checkValue(check('cx_owned', 'questionnaire'), 2, word)).toBe('mostly');
    expect(checkValue(check('fcr_rate'), null, word)).toBe('–');
  });
});

//! How a maturity check's value and target read: shares as percentages, CSAT with two decimals,
//! the trend signed, counts as counts, questionnaire answers by their words. Pure.

import type { MaturityCheck } from '../../api/maturity';

const SHARES = new Set(['video_share', 'service_level', 'fcr_rate', 'csat_response_rate', 'qa_share', 'qa_reviewed_share', 'tag_coverage']);

/** A check's value (or target) as text; `answerWord` names a questionnaire answer 0-3. */
export function checkValue(check: MaturityCheck, v: number | null, answerWord: (n: number) => string): string {
  if (v === null) return '–';
  if (check.source === 'questionnaire') return answerWord(Math.round(v));
  if (SHARES.has(check.key)) return `${Math.round(v * 1000) / 10}%`;
  if (check.key === 'csat_trend') return `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
  if (check.key === 'csat_average') return v.toFixed(2);
  return String(Math.round(v));
}

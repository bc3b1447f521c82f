//! How the customer rated a conversation (CSAT, 1 to 5), as the agent sees it: stars for the eye,
//! the score in words for screen readers, and a colour that flags an unhappy customer.

import type { Conversation } from '../../api/types';

export interface CsatSummary {
  score: number;
  /** Five characters: filled stars for the score, hollow for the rest. */
  stars: string;
  comment: string | null;
  tone: 'good' | 'neutral' | 'bad';
}

export function csatSummary(c: Pick<Conversation, 'csat'>): CsatSummary | null {
  if (!c.csat) return null;
  const score = Math.min(5, Math.max(1, Math.round(c.csat.score)));
  const comment = c.csat.comment?.trim() || null;
  const tone = score >= 4 ? 'good' : score === 3 ? 'neutral' : 'bad';
  return { score, stars: '★'.repeat(score) + '☆'.repeat(5 - score), comment, tone };
}

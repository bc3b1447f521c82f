import { describe, expect, it } from 'vitest';
import { conversation } from '../../stores/testing';
import { csatSummary } from './csat';

describe('csat summary', () => {
  it('is absent until the customer rated', () => {
    expect(csatSummary(conversation({ csat: null }))).toBeNull();
  });

  it('shows stars, the comment and a tone by score', () => {
    expect(csatSummary(conversation({ csat: { score: 4, comment: ' 很耐心 ' } }))).toEqual({
      score: 4,
      stars: '★★★★☆',
      comment: '很耐心',
      tone: 'good',
    });
    expect(csatSummary(conversation({ csat: { score: 3, comment: '' } }))).toMatchObject({ comment: null, tone: 'neutral' });
    expect(csatSummary(conversation({ csat: { score: 1, comment: null } }))).toMatchObject({ stars: '★☆☆☆☆', tone: 'bad' });
  });
});

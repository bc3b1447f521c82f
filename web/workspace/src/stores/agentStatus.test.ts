import { describe, expect, it } from 'vitest';
import { awayReasonText } from './agentStatus';

describe('awayReasonText', () => {
  const t = (key: string) => `«${key}»`;
  it('translates the reasons the server sets by itself, not only the ones agents choose', () => {
    expect(awayReasonText(t, 'missed_offers')).toBe('«common.awayReasons.missed_offers»');
    expect(awayReasonText(t, 'disconnected')).toBe('«common.awayReasons.disconnected»');
    expect(awayReasonText(t, 'meal')).toBe('«common.awayReasons.meal»');
  });
  it('shows free text from an integration as it is', () => {
    expect(awayReasonText(t, '外出办事')).toBe('外出办事');
  });
});

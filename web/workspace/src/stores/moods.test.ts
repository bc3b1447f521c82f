import { describe, expect, it } from 'vitest';
import type { SentimentAlert } from '../api/types';
import { applyMood } from './moods';

const alert = (id: number, cleared = false): SentimentAlert => ({
  id,
  conversation_id: 10 + id,
  group_id: 1,
  group_name: '信用卡',
  visitor_name: '王先生',
  agent_name: null,
  excerpt: '太差了',
  score: -0.8,
  trend: -0.8,
  raised_at: '2026-12-01T10:00:00Z',
  cleared_at: cleared ? '2026-12-01T10:05:00Z' : null,
});

describe('sentiment alerts', () => {
  it('a raised alert is listed once, oldest first, and a cleared one leaves', () => {
    let list = applyMood([], alert(2));
    list = applyMood(list, alert(1));
    list = applyMood(list, alert(2));
    expect(list.map((a) => a.id)).toEqual([1, 2]);
    list = applyMood(list, alert(1, true));
    expect(list.map((a) => a.id)).toEqual([2]);
  });
});

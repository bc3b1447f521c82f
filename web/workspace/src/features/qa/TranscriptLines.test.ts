// The QA transcript: automatic hits and reviewers' comments sit on the lines they are about, and
// only a reviewer scoring gets the comment button.
import { mount } from '@vue/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { i18n, loadFeatures, setLocale } from '../../app/i18n';
import TranscriptLines from './TranscriptLines.vue';

beforeAll(async () => {
  await setLocale('zh-CN');
  await loadFeatures(['common', 'qa']);
});

const lines = [
  { id: 1, sender: 'visitor', sender_name: '王女士', kind: 'text', body: '我要投诉', at: '2026-12-01T02:00:00Z' },
  { id: 2, sender: 'agent', sender_name: '李娜', kind: 'text', body: '你自己看着办', at: '2026-12-01T02:00:10Z' },
  { id: 3, sender: 'system', sender_name: null, kind: 'event', body: 'closed', at: '2026-12-01T02:01:00Z' },
];
const hits = [
  { rule_id: 9, rule_name: '禁用语', weight: 20, message_id: 2, detail: '"看着办"' },
  { rule_id: 8, rule_name: '未填服务小结', weight: 5, message_id: null, detail: 'no wrap-up code' },
];

describe('TranscriptLines', () => {
  it('marks the hit line and shows comments where they belong', () => {
    const w = mount(TranscriptLines, {
      props: { lines, hits, comments: [{ message_id: 2, body: '用语不规范' }], commenting: false },
      global: { plugins: [i18n] },
    });
    expect(w.get('[data-testid=qa-line-2]').attributes('data-hit')).toBe('true');
    expect(w.get('[data-testid=qa-line-1]').attributes('data-hit')).toBeUndefined();
    expect(w.get('[data-testid=qa-line-2]').text()).toContain('禁用语 −20');
    expect(w.get('[data-testid=qa-line-2]').text()).toContain('用语不规范');
    expect(w.findAll('[data-testid=qa-line-hit]')).toHaveLength(1);
    expect(w.find('[data-testid=qa-comment-2]').exists()).toBe(false);
    expect(w.get('[data-testid=qa-line-3]').text()).toContain('系统');
  });

  it('offers a comment on customer and agent lines while scoring', async () => {
    const w = mount(TranscriptLines, { props: { lines, hits: [], comments: [], commenting: true }, global: { plugins: [i18n] } });
    expect(w.find('[data-testid=qa-comment-3]').exists()).toBe(false);
    await w.get('[data-testid=qa-comment-2]').trigger('click');
    expect(w.emitted('comment')).toEqual([[2]]);
  });
});

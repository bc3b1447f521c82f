import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import type { ChatItem } from './message-store';
import { transcriptText } from './transcript';

const item = (over: Partial<ChatItem>): ChatItem => ({
  key: 'k',
  id: 1,
  seq: 1,
  sender: 'visitor',
  sender_name: null,
  kind: 'text',
  body: '',
  attachment: null,
  client_id: null,
  data: null,
  created_at: '2026-11-30T13:05:09Z',
  state: 'sent',
  ...over,
});

describe('transcriptText', () => {
  it('writes what the customer saw, translated, with date and time, and leaves out unsent lines', () => {
    const items = [
      item({ body: '我的卡被拒了' }),
      item({ sender: 'system', kind: 'event', body: 'assigned', sender_name: '李娜' }),
      item({ sender: 'agent', sender_name: '李娜', body: '您好，请稍等' }),
      item({ sender: 'agent', sender_name: '李娜', kind: 'image', body: 'a.png', attachment: { id: 2, name: '步骤.png', mime: 'image/png', size: 9, url: '/x', sha256: '', snapshot: null } }),
      item({ body: '没发出去', state: 'failed' }),
    ];
    const text = transcriptText(translator('zh-CN'), 'zh-CN', 42, items, new Date('2026-11-30T14:00:00Z'), 'UTC');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('聊天记录 · 会话 #42');
    expect(lines.slice(3)).toEqual([
      '[2026/11/30 13:05:09] 我: 我的卡被拒了',
      '[2026/11/30 13:05:09] — 客服 李娜 为您服务 —',
      '[2026/11/30 13:05:09] 李娜: 您好，请稍等',
      '[2026/11/30 13:05:09] 李娜: 图片 步骤.png',
    ]);
    expect(text).not.toContain('没发出去');
  });
});

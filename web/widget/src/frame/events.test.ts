import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import { eventText } from './events';
import type { Message } from './types';

const zh = translator('zh-CN');
const en = translator('en');
const ev = (body: string, sender_name: string | null = null, data: Message['data'] = null) => ({ body, sender_name, data });

describe('eventText (visitor side)', () => {
  it('names the agent who joined', () => {
    expect(eventText(zh, ev('assigned', '李娜'))).toBe('客服 李娜 为您服务');
    expect(eventText(en, ev('assigned', 'Li Na'))).toBe('Li Na joined');
  });

  it('copes with an assignment without a name', () => {
    expect(eventText(zh, ev('assigned', null))).toBe('客服已接入');
    expect(eventText(en, ev('assigned', '  '))).toBe('An agent joined');
  });

  it('announces a transfer without the internal note or the target', () => {
    const t = ev('transferred', '张伟', { to_group: 2, to_group_name: '贷款咨询 Loans', note: '客户想咨询贷款' });
    expect(eventText(zh, t)).toBe('正在为您转接…');
    expect(eventText(en, t)).toBe('Transferring you to another agent…');
    for (const text of [eventText(zh, t), eventText(en, t)]) {
      expect(text).not.toContain('客户想咨询贷款');
      expect(text).not.toContain('张伟');
    }
  });

  it('translates a requeue and a block, with its reason', () => {
    expect(eventText(en, ev('requeued', 'Li Na'))).toContain('first in line');
    expect(eventText(zh, ev('blocked', '王班长', { reason: '辱骂坐席' }))).toBe('本次会话已被客服结束：辱骂坐席');
    expect(eventText(en, ev('blocked'))).toBe('This conversation was ended by customer service');
  });

  it('translates closed and abandoned', () => {
    expect(eventText(zh, ev('closed', '李娜'))).toBe('会话已结束');
    expect(eventText(en, ev('closed', 'Li Na'))).toBe('The conversation has ended');
    expect(eventText(zh, ev('abandoned'))).toBe('您已取消排队');
    expect(eventText(en, ev('abandoned'))).toBe('You left the queue');
  });

  it('shows an unknown code as it came (a newer server)', () => {
    expect(eventText(zh, ev('video_started'))).toBe('video_started');
  });

  it('reads the call lines: started, ended with its length, missed, declined', () => {
    const call = (body: string, data: Record<string, unknown>) => ev(body, null, data as Message['data']);
    expect(eventText(zh, call('call_started', { media: 'video' }))).toBe('视频通话开始');
    expect(eventText(en, call('call_started', { media: 'voice' }))).toBe('Voice call started');
    expect(eventText(zh, call('call_ended', { media: 'video', duration_secs: 185, end_reason: 'hangup' }))).toBe('视频通话结束，时长 3 分 05 秒');
    expect(eventText(en, call('call_ended', { media: 'video', duration_secs: 42 }))).toBe('Video call ended, 42 s');
    expect(eventText(zh, call('call_ended', { media: 'video', end_reason: 'missed' }))).toBe('视频通话未接通');
    expect(eventText(en, call('call_ended', { media: 'video', end_reason: 'declined' }))).toBe('Video call declined');
  });
});

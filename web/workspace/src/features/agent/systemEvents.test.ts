import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import type { Message } from '../../api/types';
import enAgent from '../../locales/en/agent.json';
import zhAgent from '../../locales/zh-CN/agent.json';
import { channelLabel } from './channel';
import { eventLine, isSystemEvent, type Translate } from './systemEvents';

function translator(locale: 'zh-CN' | 'en') {
  const i18n = createI18n({
    legacy: false,
    locale,
    messages: { 'zh-CN': { agent: zhAgent }, en: { agent: enAgent } },
    missingWarn: false,
    fallbackWarn: false,
  });
  const t: Translate = (key, named) => i18n.global.t(key, named);
  return { t, te: (key: string) => i18n.global.te(key) };
}

const zh = translator('zh-CN');
const en = translator('en');

function ev(body: string, sender_name: string | null = null, data: Message['data'] = null) {
  return { kind: 'event' as const, sender: 'system' as const, body, sender_name, data };
}

describe('eventLine (staff side)', () => {
  it('reads the call lines: started, ended with its length, not answered, declined', () => {
    const call = (body: string, data: Record<string, unknown>) => ev(body, null, data as Message['data']);
    expect(eventLine(zh.t, call('call_started', { media: 'video' }))).toBe('视频通话开始');
    expect(eventLine(en.t, call('call_started', { media: 'voice' }))).toBe('Voice call started');
    expect(eventLine(zh.t, call('call_ended', { media: 'video', duration_secs: 185, end_reason: 'hangup' }))).toBe('视频通话结束，时长 3 分 05 秒');
    expect(eventLine(en.t, call('call_ended', { media: 'video', duration_secs: 7 }))).toBe('Video call ended, 7 s');
    expect(eventLine(zh.t, call('call_ended', { media: 'video', end_reason: 'missed' }))).toBe('视频通话未接通');
    expect(eventLine(en.t, call('call_ended', { media: 'video', end_reason: 'declined' }))).toBe('Video call declined');
    // Cut off: the reason in words, never the code.
    expect(eventLine(zh.t, call('call_ended', { media: 'video', duration_secs: 40, end_reason: 'failed' }))).toBe('视频通话结束：连接失败');
    expect(eventLine(en.t, call('call_ended', { media: 'voice', end_reason: 'server_restart' }))).toBe('Voice call ended: the service restarted');
    // The call's media node died and the two sides were not back in time.
    expect(eventLine(zh.t, call('call_ended', { media: 'video', end_reason: 'home_lost' }))).toBe('视频通话结束：通话所在服务器故障，未能及时恢复通话');
    expect(eventLine(en.t, call('call_ended', { media: 'video', end_reason: 'home_lost' }))).toBe(
      "Video call ended: the call's server went down and the call could not be resumed in time",
    );
  });

  it('names the agent who joined', () => {
    expect(eventLine(zh.t, ev('assigned', '李娜'))).toBe('坐席 李娜 已接入');
    expect(eventLine(en.t, ev('assigned', 'Li Na'))).toBe('Li Na joined');
    expect(eventLine(zh.t, ev('assigned'))).toBe('坐席已接入');
    expect(eventLine(en.t, ev('assigned'))).toBe('An agent joined');
  });

  it('shows who transferred to which group, with the note for the next agent', () => {
    const m = ev('transferred', '张伟', { to_group: 2, to_group_name: '贷款咨询 Loans', note: '客户想咨询贷款' });
    expect(eventLine(zh.t, m)).toBe('张伟 转接至 贷款咨询 Loans：客户想咨询贷款');
    expect(eventLine(en.t, m)).toBe('张伟 transferred to 贷款咨询 Loans: 客户想咨询贷款');
  });

  it('shows a transfer to an agent, and leaves out an empty note', () => {
    const m = ev('transferred', 'Zhang Wei', { to_agent: 6, to_agent_name: 'Chen Jing', note: '  ' });
    expect(eventLine(en.t, m)).toBe('Zhang Wei transferred to Chen Jing');
    expect(eventLine(zh.t, { ...m, data: { to_agent: 6, to_agent_name: '陈静', note: null } })).toBe('Zhang Wei 转接至 陈静');
  });

  it('copes with a transfer missing its details', () => {
    expect(eventLine(zh.t, ev('transferred', '张伟'))).toBe('张伟 转接了会话');
    expect(eventLine(zh.t, ev('transferred', '王班长', { to_agent: 2, to_agent_name: '王班长', taken_over: true }))).toBe('王班长 接管了会话');
    expect(eventLine(en.t, ev('transferred'))).toBe('Conversation transferred');
    expect(eventLine(zh.t, ev('transferred', null, { to_group_name: '贷款咨询' }))).toBe('会话已转接至 贷款咨询');
  });

  it('does not read message syntax in names or notes', () => {
    const m = ev('transferred', '{name}', { to_group_name: 'A | B @c', note: "it's {x}" });
    expect(eventLine(en.t, m)).toBe("{name} transferred to A | B @c: it's {x}");
  });

  it('says who closed, and that the visitor left the queue', () => {
    expect(eventLine(zh.t, ev('closed', '李娜'))).toBe('李娜 结束了会话');
    expect(eventLine(en.t, ev('closed', 'Li Na'))).toBe('Li Na ended the conversation');
    expect(eventLine(zh.t, ev('closed'))).toBe('会话已结束');
    expect(eventLine(en.t, ev('closed'))).toBe('Conversation ended');
    expect(eventLine(zh.t, ev('abandoned'))).toBe('访客已离开排队');
    expect(eventLine(en.t, ev('abandoned'))).toBe('The visitor left the queue');
  });

  it('shows an unknown code as sent', () => {
    expect(eventLine(zh.t, ev('video_started'))).toBe('video_started');
  });

  it('recognises system lines', () => {
    expect(isSystemEvent({ kind: 'event', sender: 'system' })).toBe(true);
    expect(isSystemEvent({ kind: 'text', sender: 'system' })).toBe(true);
    expect(isSystemEvent({ kind: 'text', sender: 'agent' })).toBe(false);
  });
});

describe('channelLabel', () => {
  it('names every channel in both languages', () => {
    expect(['web', 'h5', 'app', 'api'].map((c) => channelLabel(zh.t as never, zh.te, c))).toEqual(['网页', 'H5', 'App', 'API']);
    expect(['web', 'h5', 'app', 'api'].map((c) => channelLabel(en.t as never, en.te, c))).toEqual(['Web', 'H5', 'App', 'API']);
  });

  it('shows an unknown channel as sent', () => {
    expect(channelLabel(en.t as never, en.te, 'wechat')).toBe('wechat');
  });
});

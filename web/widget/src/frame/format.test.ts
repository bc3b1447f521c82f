import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import { fileSize, queueText } from './format';

describe('queueText', () => {
  const zh = translator('zh-CN');
  const en = translator('en');

  it('says how many are ahead (position 1 = next) and rounds the wait up to minutes', () => {
    expect(queueText(zh, { position: 4, estimated_wait_secs: 130 })).toBe('您前面还有 3 位，预计等待 3 分钟');
    expect(queueText(en, { position: 4, estimated_wait_secs: 130 })).toBe('3 ahead of you, about 3 min');
  });

  it('tells the next in line so, and never promises less than a minute', () => {
    expect(queueText(zh, { position: 1, estimated_wait_secs: 0 })).toBe('您是下一位，预计等待 1 分钟');
    expect(queueText(en, { position: 1, estimated_wait_secs: 20 })).toBe('You are next, about 1 min');
  });

  it('promises no wait time when the server has no estimate', () => {
    expect(queueText(zh, { position: 3, estimated_wait_secs: null })).toBe('您前面还有 2 位');
    expect(queueText(en, { position: 3, estimated_wait_secs: null })).toBe('2 ahead of you');
    expect(queueText(zh, { position: 1, estimated_wait_secs: null })).toBe('您是下一位');
    expect(queueText(en, { position: 1, estimated_wait_secs: null })).toBe('You are next');
  });

  it('copes with odd positions from the server', () => {
    expect(queueText(en, { position: 0, estimated_wait_secs: 60 })).toBe('You are next, about 1 min');
  });
});

describe('fileSize', () => {
  it('uses B, KB and MB', () => {
    expect(fileSize(512)).toBe('512 B');
    expect(fileSize(1536)).toBe('1.5 KB');
    expect(fileSize(200 * 1024)).toBe('200 KB');
    expect(fileSize(3.25 * 1024 * 1024)).toBe('3.3 MB');
  });
});

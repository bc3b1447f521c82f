import { describe, expect, it } from 'vitest';
import { parseFrameMessage, parseHostMessage } from './envelope';

describe('postMessage envelopes', () => {
  it('accepts well-formed host messages', () => {
    expect(parseHostMessage({ kefu: 1, type: 'init', identity_token: 'abc', open: true })).toEqual({
      kefu: 1,
      type: 'init',
      identity_token: 'abc',
      open: true,
    });
    expect(parseHostMessage({ kefu: 1, type: 'identity', identity_token: null })).not.toBeNull();
    expect(parseHostMessage({ kefu: 1, type: 'visibility', open: false })).not.toBeNull();
  });

  it('rejects other versions, unknown types and bad fields', () => {
    expect(parseHostMessage({ kefu: 2, type: 'visibility', open: true })).toBeNull();
    expect(parseHostMessage({ type: 'visibility', open: true })).toBeNull();
    expect(parseHostMessage({ kefu: 1, type: 'eval', code: 'x' })).toBeNull();
    expect(parseHostMessage({ kefu: 1, type: 'identity', identity_token: 42 })).toBeNull();
    expect(parseHostMessage({ kefu: 1, type: 'identity', identity_token: '' })).toBeNull();
    expect(parseHostMessage('{"kefu":1,"type":"visibility","open":true}')).toBeNull();
    expect(parseHostMessage(null)).toBeNull();
  });

  it('copies only known fields from frame messages', () => {
    expect(parseFrameMessage({ kefu: 1, type: 'ready', extra: 'x' })).toEqual({ kefu: 1, type: 'ready' });
    expect(parseFrameMessage({ kefu: 1, type: 'unread', count: 3 })).toEqual({ kefu: 1, type: 'unread', count: 3 });
    expect(parseFrameMessage({ kefu: 1, type: 'unread', count: -1 })).toBeNull();
    expect(parseFrameMessage({ kefu: 1, type: 'unread', count: 1.5 })).toBeNull();
    expect(parseFrameMessage({ kefu: 1, type: 'navigate', url: 'https://evil' })).toBeNull();
  });
});

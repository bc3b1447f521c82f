// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { translator } from '../i18n';
import { ApiError, type Api } from './api';
import { CallController, deviceText } from './calls';
import type { CallView, Conversation } from './types';

/** The call chunk, replaced: what the controller asks of it is recorded. */
const chunk = vi.hoisted(() => {
  class DeviceError extends Error {
    constructor(readonly problem: string) {
      super(problem);
    }
  }
  const screens: { callId: number; stream: unknown; frames: unknown[]; ended: boolean; el: HTMLElement; onReplaced?: () => void }[] = [];
  return {
    DeviceError,
    screens,
    openLocalMedia: vi.fn(),
    start: vi.fn(async (o: { call: { id: number }; stream?: unknown; onReplaced?: () => void }) => {
      const s = { callId: o.call.id, stream: o.stream, frames: [] as unknown[], ended: false, el: document.createElement('section'), onReplaced: o.onReplaced, signal(f: unknown) { s.frames.push(f); }, end() { s.ended = true; } };
      s.el.dataset.testid = 'call-view';
      screens.push(s);
      return s;
    }),
  };
});
vi.mock('../call/call-screen', () => ({
  DeviceError: chunk.DeviceError,
  openLocalMedia: chunk.openLocalMedia,
  CallScreen: { start: chunk.start },
}));

const t = translator('zh-CN');
const conv = (over: Partial<Conversation> = {}) => ({ id: 1, status: 'assigned', ...over }) as Conversation;
const call = (over: Partial<CallView> = {}): CallView => ({
  id: 7,
  conversation_id: 1,
  media: 'video',
  status: 'ringing',
  started_by: 'agent',
  started_at: '2026-11-30T20:00:00Z',
  answered_at: null,
  ended_at: null,
  end_reason: null,
  recording_policy: 'off',
  recording: 'off',
  local_recording: false,
  ...over,
});
const flush = () => new Promise((r) => setTimeout(r, 0));
const stream = () => ({ getTracks: () => [{ stop: vi.fn() }] }) as unknown as MediaStream;

let api: { startCall: ReturnType<typeof vi.fn>; acceptCall: ReturnType<typeof vi.fn>; declineCall: ReturnType<typeof vi.fn>; hangupCall: ReturnType<typeof vi.fn> };
let notices: string[];
function controller(c = conv()) {
  notices = [];
  const ctl = new CallController(c, { api: api as unknown as Api, t, locale: 'zh-CN', send: () => true, notify: (s) => notices.push(s) });
  document.body.replaceChildren(ctl.el);
  ctl.setConversation(c);
  return ctl;
}
const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

beforeEach(() => {
  chunk.screens.length = 0;
  chunk.openLocalMedia.mockReset();
  chunk.start.mockClear();
  api = { startCall: vi.fn(), acceptCall: vi.fn(), declineCall: vi.fn(), hangupCall: vi.fn() };
});

describe('CallController (widget)', () => {
  it('tells the visitor while the call is recorded, and when recording pauses', async () => {
    chunk.openLocalMedia.mockResolvedValue(stream());
    const ctl = controller();
    ctl.apply(call({ status: 'active', answered_at: '2026-11-30T20:00:05Z', recording_policy: 'always', recording: 'recording' }));
    await flush();
    const notice = byTestId('call-recording-notice')!;
    expect(notice.hidden).toBe(false);
    expect(notice.textContent).toBe('本次通话正在录音录像');
    expect(notice.getAttribute('role')).toBe('status');
    const screen = byTestId('call-view');
    ctl.apply(call({ status: 'active', answered_at: '2026-11-30T20:00:05Z', recording_policy: 'always', recording: 'paused' }));
    expect(notice.textContent).toBe('录音录像已暂停');
    expect(byTestId('call-view')).toBe(screen);
    ctl.apply(call({ status: 'active', answered_at: '2026-11-30T20:00:05Z', recording_policy: 'on_demand', recording: 'off' }));
    expect(notice.hidden).toBe(true);
    // The agent records in their browser: the same notice.
    ctl.apply(call({ status: 'active', answered_at: '2026-11-30T20:00:05Z', recording_policy: 'off', recording: 'off', local_recording: true }));
    expect(notice.hidden).toBe(false);
    expect(notice.textContent).toBe('本次通话正在录音录像');
    ctl.apply(call({ status: 'active', answered_at: '2026-11-30T20:00:05Z', recording_policy: 'off', recording: 'off', local_recording: false }));
    expect(notice.hidden).toBe(true);
  });

  it('offers a video call button only while an agent serves the chat', () => {
    const ctl = controller(conv({ status: 'queued' }));
    expect(byTestId('call-start')).toBeNull();
    ctl.setConversation(conv({ status: 'assigned' }));
    expect(byTestId('call-start')?.textContent).toBe('视频通话');
  });

  it("shows the agent's call as an alertdialog with focus on Answer, then joins with the checked devices", async () => {
    const ctl = controller();
    ctl.apply(call());
    const prompt = byTestId('call-incoming')!;
    expect(prompt.getAttribute('role')).toBe('alertdialog');
    expect(document.getElementById(prompt.getAttribute('aria-labelledby')!)?.textContent).toBe('客服邀请您进行视频通话');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('call-accept');
    expect(byTestId('call-accept')?.textContent).toBe('接听');

    const s = stream();
    chunk.openLocalMedia.mockResolvedValue(s);
    api.acceptCall.mockResolvedValue(call({ status: 'active' }));
    byTestId('call-accept')!.click();
    await flush();
    await flush();
    expect(chunk.openLocalMedia).toHaveBeenCalledWith('video');
    expect(chunk.start).toHaveBeenCalledTimes(1);
    expect(chunk.screens[0]!.stream).toBe(s);
    expect(byTestId('call-view')).not.toBeNull();

    // Signalling reaches the screen; the end of the call removes it.
    ctl.signal({ type: 'call.offer', call_id: 7, data: { sdp: 'x' } });
    expect(chunk.screens[0]!.frames).toHaveLength(1);
    ctl.apply(call({ status: 'ended', end_reason: 'hangup' }));
    expect(chunk.screens[0]!.ended).toBe(true);
    expect(byTestId('call-view')).toBeNull();
    expect(byTestId('call-start')).not.toBeNull();
  });

  it('steps out quietly when another tab or device takes the call, and does not join it again', async () => {
    const ctl = controller();
    chunk.openLocalMedia.mockResolvedValue(stream());
    ctl.apply(call({ status: 'active' }));
    await flush();
    await flush();
    expect(chunk.start).toHaveBeenCalledTimes(1);
    chunk.screens[0]!.onReplaced!();
    expect(chunk.screens[0]!.ended).toBe(true);
    expect(byTestId('call-view')).toBeNull();
    expect(notices).toEqual([t('callContinuesElsewhere')]);
    ctl.apply(call({ status: 'active', recording: 'recording' }));
    await flush();
    expect(chunk.start).toHaveBeenCalledTimes(1);
  });

  it('ends the call on call.ended (a join of a call that ended meanwhile), with no warning', async () => {
    const ctl = controller();
    chunk.openLocalMedia.mockResolvedValue(stream());
    ctl.apply(call({ status: 'active' }));
    await flush();
    await flush();
    ctl.signal({ type: 'call.ended', call_id: 7, data: call({ status: 'ended', end_reason: 'failed' }) });
    expect(chunk.screens[0]!.ended).toBe(true);
    expect(chunk.screens[0]!.frames).toHaveLength(0);
    expect(byTestId('call-view')).toBeNull();
    expect(notices).toEqual([]);
  });

  it('answers a video call with the camera off for me: only the microphone is opened (one-way video)', async () => {
    const ctl = controller();
    ctl.apply(call());
    expect(byTestId('call-accept-oneway')?.textContent).toBe('仅看坐席');
    chunk.openLocalMedia.mockResolvedValue(stream());
    api.acceptCall.mockResolvedValue(call({ status: 'active' }));
    byTestId('call-accept-oneway')!.click();
    await flush();
    await flush();
    expect(chunk.openLocalMedia).toHaveBeenCalledWith('voice');
    expect(api.acceptCall).toHaveBeenCalledWith(7);
    expect(chunk.start).toHaveBeenCalledTimes(1);
    ctl.dispose();
    // A voice call has nothing to keep off.
    controller().apply(call({ id: 8, media: 'voice' }));
    expect(byTestId('call-accept-oneway')).toBeNull();
  });

  it('says clearly when the camera is missing or refused, and does not answer', async () => {
    const ctl = controller();
    ctl.apply(call());
    chunk.openLocalMedia.mockRejectedValue(new chunk.DeviceError('denied'));
    byTestId('call-accept')!.click();
    await flush();
    await flush();
    expect(notices).toEqual([deviceText(t, 'denied')]);
    expect(notices[0]).toContain('权限被拒绝');
    expect(api.acceptCall).not.toHaveBeenCalled();
    expect(byTestId('call-incoming')).not.toBeNull();
  });

  it('starts a call from the chat: device check, then POST, then "calling…" until the agent answers', async () => {
    const ctl = controller();
    chunk.openLocalMedia.mockResolvedValue(stream());
    api.startCall.mockResolvedValue(call({ started_by: 'visitor' }));
    byTestId('call-start')!.click();
    await flush();
    await flush();
    expect(api.startCall).toHaveBeenCalledWith(1, 'video');
    expect(byTestId('call-ringing')?.textContent).toContain('正在呼叫客服');
    ctl.apply(call({ started_by: 'visitor', status: 'active' }));
    await flush();
    expect(chunk.start).toHaveBeenCalledTimes(1);
  });

  it('says the agent cannot take a call now when the server answers 409', async () => {
    controller();
    chunk.openLocalMedia.mockResolvedValue(stream());
    api.startCall.mockRejectedValue(new ApiError(409, 'conflict', 'the agent is already in a call'));
    byTestId('call-start')!.click();
    await flush();
    await flush();
    expect(notices).toEqual([t('callBusy')]);
    expect(byTestId('call-start')).not.toBeNull();
  });

  it('joins at once when the video-service call arrives active, with the stream the entry opened', async () => {
    const ctl = controller(conv({ status: 'offered' }));
    const s = stream();
    ctl.adoptStream(s);
    ctl.apply(call({ started_by: 'visitor', status: 'active' }));
    await flush();
    expect(chunk.screens[0]?.stream).toBe(s);
  });

  it('queues signalling that arrives while the screen is being built', async () => {
    let release: (v: unknown) => void = () => {};
    chunk.start.mockImplementationOnce(
      (o: { call: { id: number } }) =>
        new Promise((r) => {
          release = () => {
            const s = { callId: o.call.id, stream: undefined as unknown, ended: false, frames: [] as unknown[], el: document.createElement('section'), onReplaced: undefined, signal(f: unknown) { s.frames.push(f); }, end() {} };
            chunk.screens.push(s);
            r(s);
          };
        }),
    );
    const ctl = controller();
    ctl.apply(call({ status: 'active' }));
    await flush();
    ctl.signal({ type: 'call.answer', call_id: 7, data: { sdp: 'a' } });
    release(null);
    await flush();
    expect(chunk.screens[0]!.frames).toEqual([{ type: 'call.answer', call_id: 7, data: { sdp: 'a' } }]);
  });

  it("takes the open call from the conversation's snapshot, and never goes back to an ended one", async () => {
    const ctl = controller();
    ctl.setConversation({ ...conv(), call: call() } as Conversation);
    expect(byTestId('call-incoming')).not.toBeNull();
    ctl.apply(call({ status: 'ended', end_reason: 'missed' }));
    ctl.setConversation({ ...conv(), call: call() } as Conversation);
    expect(byTestId('call-incoming')).toBeNull();
  });
});

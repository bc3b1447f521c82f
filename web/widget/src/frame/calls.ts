// The call strip of a live chat (main chunk, kept small): the "video call" button, the outgoing
// "calling…" line, the incoming-call prompt (an alertdialog with focus on Answer; for a video call
// also "camera off for me": one-way video, the visitor sees the agent and sends only audio) and, once the
// call is active, the call screen from the call chunk, which is loaded with import() only then
// (or when the pre-call device check runs). Follows the conversation's `call.updated` events.

import type { CallServerFrame, DeviceProblem } from '@kefu/realtime/call';
import type { Translate } from '../i18n';
import type { Locale } from '../i18n/locale';
import { ApiError, type Api } from './api';
import { h } from './dom';
import { errorText } from './errors';
import type { CallMedia, CallView, Conversation } from './types';

type CallChunk = typeof import('../call/call-screen');
type Screen = import('../call/call-screen').CallScreen;

let chunk: Promise<CallChunk> | null = null;
/** The call chunk, fetched once. */
export function loadCallChunk(): Promise<CallChunk> {
  chunk ??= import('../call/call-screen').catch((e: unknown) => {
    chunk = null; // a failed fetch (network) may succeed next time
    throw e;
  });
  return chunk;
}

/** The message for a device problem found by the pre-call check. */
export function deviceText(t: Translate, problem: DeviceProblem): string {
  switch (problem) {
    case 'no_camera':
      return t('deviceNoCamera');
    case 'no_microphone':
      return t('deviceNoMicrophone');
    case 'denied':
      return t('deviceDenied');
    case 'in_use':
      return t('deviceInUse');
    case 'unsupported':
      return t('deviceUnsupported');
    default:
      return t('deviceFailed');
  }
}

/**
 * The pre-call check: loads the call chunk and opens camera and microphone. Rejects with an Error
 * whose message is already translated for the visitor.
 */
export async function checkDevices(t: Translate, media: CallMedia): Promise<MediaStream> {
  let mod: CallChunk;
  try {
    mod = await loadCallChunk();
  } catch {
    throw new Error(t('callStartFailed'));
  }
  try {
    return await mod.openLocalMedia(media);
  } catch (e) {
    throw new Error(e instanceof mod.DeviceError ? deviceText(t, e.problem) : t('deviceFailed'));
  }
}

/** A call's status only moves forward: ringing -> active -> ended. */
const RANK: Record<CallView['status'], number> = { ringing: 0, active: 1, ended: 2 };

export interface CallDeps {
  api: Api;
  t: Translate;
  locale: Locale;
  send: (frame: unknown) => boolean;
  notify: (text: string) => void;
}

export class CallController {
  readonly el = h('div', { class: 'call-strip', 'data-testid': 'call-strip' });
  readonly #deps: CallDeps;
  #conversation: Conversation;
  /** The conversation's latest call (null: none yet, or the last one ended). */
  #call: CallView | null = null;
  /** Camera and microphone opened by the pre-call check, waiting for the call to become active. */
  #stream: MediaStream | null = null;
  #screen: Screen | null = null;
  /** Which call the screen is (being) started for. */
  #joining: number | null = null;
  /** Signalling frames that arrived while the screen was being built. */
  #early: CallServerFrame[] = [];
  #busy = false;
  /** The last call that ended: a stale copy of it must not ring or join again. */
  #endedId: number | null = null;
  /** A call another tab or device of this visitor took (`call.replaced`): not joined again from here. */
  #replacedId: number | null = null;
  #sig = '';
  #disposed = false;

  constructor(conversation: Conversation, deps: CallDeps) {
    this.#conversation = conversation;
    this.#deps = deps;
  }

  /** The visitor chose "video service": the check already opened the devices for the coming call. */
  adoptStream(stream: MediaStream): void {
    this.#stream = stream;
  }

  /** A fresh copy of the conversation; its open call (`call`) too. */
  setConversation(c: Conversation): void {
    this.#conversation = c;
    if (c.status === 'closed') this.#release();
    if (c.call) this.apply(c.call);
    this.#render();
  }

  /** A `call.updated` event (in order, with the conversation's seq). */
  apply(call: CallView): void {
    if (call.conversation_id !== this.#conversation.id) return;
    if (this.#call && call.id < this.#call.id) return; // an older call's late news
    if (call.id === this.#endedId || (this.#call?.id === call.id && RANK[call.status] < RANK[this.#call.status])) return; // stale
    if (call.status === 'ended') this.#endedId = call.id;
    this.#call = call.status === 'ended' ? null : call;
    if (call.status === 'ended') {
      if (this.#joining === call.id || this.#screen?.callId === call.id) this.#release();
    } else if (call.status === 'active' && this.#joining !== call.id && call.id !== this.#replacedId) {
      void this.#join(call);
    }
    this.#render();
  }

  /**
   * `call.answer`, `call.offer`, `call.error` frames (ephemeral, by call id); `call.ended` (the
   * answer to a join of a call that ended meanwhile) ends it as its `call.updated` would.
   */
  signal(frame: CallServerFrame): void {
    if (frame.type === 'call.ended') {
      if (frame.data) this.apply(frame.data as CallView);
      return;
    }
    if (this.#screen) this.#screen.signal(frame);
    else if (this.#joining !== null && frame.call_id === this.#joining) this.#early.push(frame);
  }

  /** The socket connected again after it was lost: the call's media joins again through it. */
  socketReopened(): void {
    this.#screen?.socketReopened();
  }

  dispose(): void {
    this.#disposed = true;
    this.#release();
  }

  async #start(media: CallMedia): Promise<void> {
    const { api, t, notify } = this.#deps;
    await this.#step(async () => {
      const stream = await checkDevices(t, media);
      this.#stream = stream;
      try {
        this.apply(await api.startCall(this.#conversation.id, media));
      } catch (e) {
        this.#dropStream();
        // 409: the agent is in another call (one at a time) or a call is already open.
        throw new Error(e instanceof ApiError && e.status === 409 ? t('callBusy') : errorText(t, e));
      }
    }).catch((e: unknown) => notify(e instanceof Error ? e.message : String(e)));
  }

  /**
   * Answers. `oneWay`: the visitor keeps their camera off — only the microphone is opened, so the
   * call screen receives the agent's video on a recvonly transceiver and sends none.
   */
  async #accept(call: CallView, oneWay = false): Promise<void> {
    const { api, t, notify } = this.#deps;
    await this.#step(async () => {
      this.#stream ??= await checkDevices(t, oneWay ? 'voice' : call.media);
      try {
        this.apply(await api.acceptCall(call.id));
      } catch (e) {
        this.#dropStream();
        throw new Error(errorText(t, e));
      }
    }).catch((e: unknown) => notify(e instanceof Error ? e.message : String(e)));
  }

  #decline(call: CallView): void {
    void this.#step(async () => this.apply(await this.#deps.api.declineCall(call.id))).catch((e: unknown) => this.#deps.notify(errorText(this.#deps.t, e)));
  }

  #hangup(call: CallView): void {
    void this.#step(async () => this.apply(await this.#deps.api.hangupCall(call.id))).catch((e: unknown) => this.#deps.notify(errorText(this.#deps.t, e)));
  }

  async #step(run: () => Promise<void>): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    this.#render();
    try {
      await run();
    } finally {
      this.#busy = false;
      this.#render();
    }
  }

  async #join(call: CallView): Promise<void> {
    const { api, t, locale, send, notify } = this.#deps;
    this.#joining = call.id;
    this.#early = [];
    const stream = this.#stream;
    this.#stream = null;
    try {
      const mod = await loadCallChunk();
      const screen = await mod.CallScreen.start({
        call,
        locale,
        api,
        send,
        stream: stream ?? undefined,
        peerName: this.#conversation.agent_name,
        onHangup: () => this.#hangup(call),
        onReplaced: () => this.#replaced(call.id),
      });
      if (this.#disposed || this.#joining !== call.id) {
        screen.end();
        return;
      }
      this.#screen = screen;
      for (const f of this.#early.splice(0)) screen.signal(f);
      this.#render();
    } catch (e) {
      if (this.#joining !== call.id) return;
      this.#joining = null;
      const problem = (e as { problem?: DeviceProblem }).problem;
      notify(problem ? deviceText(t, problem) : t('callStartFailed'));
      // The other side would wait in an empty call: end it.
      this.#hangup(call);
    }
  }

  /** Another tab or device of this visitor joined the call and took it: this page steps out of it quietly. */
  #replaced(callId: number): void {
    this.#replacedId = callId;
    if (this.#joining === callId || this.#screen?.callId === callId) this.#release();
    this.#deps.notify(this.#deps.t('callContinuesElsewhere'));
    this.#render();
  }

  /** Ends the media of the current call locally (the server ended it, or the chat went away). */
  #release(): void {
    this.#joining = null;
    this.#early = [];
    this.#screen?.end();
    this.#screen = null;
    this.#dropStream();
  }

  #dropStream(): void {
    for (const tr of this.#stream?.getTracks() ?? []) tr.stop();
    this.#stream = null;
  }

  /** The visitor is told while the server or the agent's browser records the call (kept as one node: the call screen
   * beside it must not be re-inserted, which would pause its videos). */
  readonly #recording = h('p', { class: 'call-strip__recording', role: 'status', 'data-testid': 'call-recording-notice', hidden: true });

  #renderRecording(): void {
    const { t } = this.#deps;
    const c = this.#call;
    // The agent's local recording (in their browser) is a recording all the same.
    const state = c?.status !== 'active' ? 'off' : c.local_recording ? 'recording' : c.recording;
    this.#recording.hidden = state === 'off';
    this.#recording.dataset.state = state ?? 'off';
    const text = state === 'paused' ? t('callRecordingPaused') : c?.media === 'voice' ? t('callRecordingVoice') : t('callRecording');
    if (this.#recording.textContent !== text) this.#recording.textContent = text;
  }

  #render(): void {
    const { t } = this.#deps;
    const c = this.#call;
    this.#renderRecording();
    const sig = JSON.stringify([c?.id, c?.status, this.#conversation.status, this.#busy, Boolean(this.#screen), this.#joining]);
    if (sig === this.#sig) return;
    this.#sig = sig;
    const btn = (testid: string, label: string, onClick: () => void, primary = false) =>
      h('button', { type: 'button', class: primary ? 'btn btn--primary' : 'btn', 'data-testid': testid, disabled: this.#busy, onclick: onClick }, label);

    if (c?.status === 'active') {
      this.el.replaceChildren(this.#recording, this.#screen ? this.#screen.el : h('p', { class: 'call-strip__line', role: 'status' }, t('callChecking')));
    } else if (c?.status === 'ringing' && c.started_by === 'agent') {
      const title = h('p', { id: 'call-incoming-title', class: 'call-strip__line' }, c.media === 'voice' ? t('callIncomingVoice') : t('callIncomingVideo'));
      const accept = btn('call-accept', t('callAccept'), () => void this.#accept(c), true);
      const oneWay = c.media === 'video' ? btn('call-accept-oneway', t('callAcceptOneWay'), () => void this.#accept(c, true)) : null;
      if (oneWay) oneWay.title = t('callAcceptOneWayHint');
      this.el.replaceChildren(
        h(
          'div',
          { class: 'call-strip__prompt', role: 'alertdialog', 'aria-modal': 'false', 'aria-labelledby': 'call-incoming-title', 'data-testid': 'call-incoming' },
          title,
          h('div', { class: 'call-strip__actions' }, accept, oneWay, btn('call-decline', t('callDecline'), () => this.#decline(c))),
        ),
      );
      if (!this.#busy) accept.focus();
    } else if (c?.status === 'ringing') {
      this.el.replaceChildren(
        h('div', { class: 'call-strip__prompt', 'data-testid': 'call-ringing' }, h('p', { class: 'call-strip__line', role: 'status' }, t('callRinging')), btn('call-cancel', t('callCancel'), () => this.#hangup(c))),
      );
    } else if (this.#conversation.status === 'assigned' && !this.#stream) {
      this.el.replaceChildren(
        h('div', { class: 'call-strip__actions call-strip__start' }, btn('call-start-voice', t('voiceCall'), () => void this.#start('voice')), btn('call-start', t('videoCall'), () => void this.#start('video'))),
      );
    } else {
      this.el.replaceChildren();
    }
    this.el.hidden = this.el.childElementCount === 0;
  }
}

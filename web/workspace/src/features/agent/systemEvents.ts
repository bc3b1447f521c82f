//! System event lines (messages of kind "event") as staff read them. The server sends a code in
//! `body` and who/what in `sender_name` / `data`; these lines translate them. Unlike the visitor's
//! widget, agents see the transfer target and note: that is how the reason travels with a transfer.

import type { EventData, Message } from '../../api/types';

/** vue-i18n's `t` (or any function with its shape). */
export type Translate = (key: string, named: Record<string, unknown>) => string;

type EventMessage = Pick<Message, 'kind' | 'sender' | 'body' | 'sender_name' | 'data'>;

export function isSystemEvent(m: Pick<Message, 'kind' | 'sender'>): boolean {
  return m.kind === 'event' || m.sender === 'system';
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

/** "坐席 李娜 已接入", "张伟 转接至 贷款咨询 Loans：客户想咨询贷款", "访客已离开排队". */
export function eventLine(t: Translate, m: EventMessage): string {
  const name = text(m.sender_name);
  const data: EventData = m.data ?? {};
  switch (m.body) {
    case 'assigned':
      return name ? t('agent.event.assigned', { name }) : t('agent.event.assignedAnon', {});
    case 'transferred': {
      // 接管: a supervisor took it over (they are both the actor and the target).
      if (data.taken_over === true && name) return t('agent.event.takenOver', { name });
      const target = text(data.to_group_name) || text(data.to_agent_name);
      const line = target
        ? name
          ? t('agent.event.transferred', { name, target })
          : t('agent.event.transferredAnon', { target })
        : name
          ? t('agent.event.transferredNoTarget', { name })
          : t('agent.event.transferredBare', {});
      const note = text(data.note);
      return note ? t('agent.event.withNote', { line, note }) : line;
    }
    case 'closed':
      return name ? t('agent.event.closed', { name }) : t('agent.event.closedAnon', {});
    case 'abandoned':
      return t('agent.event.abandoned', {});
    case 'requeued':
      return name ? t('agent.event.requeued', { name }) : t('agent.event.requeuedAnon', {});
    case 'blocked': {
      const reason = text(data.reason);
      const line = name ? t('agent.event.blocked', { name }) : t('agent.event.blockedAnon', {});
      return reason ? t('agent.event.withNote', { line, note: reason }) : line;
    }
    case 'call_started':
      return t('agent.event.callStarted', { media: mediaWord(t, m.data) });
    case 'recording_started':
      return t('agent.event.recordingStarted', {});
    case 'recording_paused':
      return t('agent.event.recordingPaused', {});
    case 'recording_resumed':
      return t('agent.event.recordingResumed', {});
    case 'recording_stopped':
      return t('agent.event.recordingStopped', {});
    case 'recording_failed':
      return t('agent.event.recordingFailed', {});
    case 'local_recording_started':
      return t('agent.event.localRecordingStarted', {});
    case 'local_recording_stopped':
      return t('agent.event.localRecordingStopped', {});
    case 'call_ended': {
      const media = mediaWord(t, m.data);
      const d = callData(m.data);
      if (d.end_reason === 'missed') return t('agent.event.callMissed', { media });
      if (d.end_reason === 'declined') return t('agent.event.callDeclined', { media });
      // A call cut off (network, restart, its media server lost, the chat closed) says why, not just "ended".
      if (CUT_OFF.has(d.end_reason)) {
        return t('agent.event.callEndedWhy', { media, reason: t(`agent.callEndReason.${d.end_reason}`, {}) });
      }
      return typeof d.duration_secs === 'number'
        ? t('agent.event.callEnded', { media, duration: callDuration(t, d.duration_secs) })
        : t('agent.event.callEndedShort', { media });
    }
    default:
      // A code this build does not know (a newer server), or a plain system text.
      return m.body;
  }
}

/** End reasons of a call cut off: the line names the reason (`agent.callEndReason.*`). */
const CUT_OFF: ReadonlySet<unknown> = new Set(['failed', 'server_restart', 'home_lost', 'conversation_closed']);

/** `data` of the call lines (`call_started` / `call_ended`): media, and at the end how long and why. */
interface CallLineData {
  media?: unknown;
  duration_secs?: unknown;
  end_reason?: unknown;
}

function callData(data: unknown): CallLineData {
  return typeof data === 'object' && data !== null ? (data as CallLineData) : {};
}

function mediaWord(t: Translate, data: unknown): string {
  return callData(data).media === 'voice' ? t('agent.event.callVoice', {}) : t('agent.event.callVideo', {});
}

/** "3 分 05 秒" / "3 min 05 s"; under a minute only seconds. */
export function callDuration(t: Translate, secs: number): string {
  const total = Math.max(0, Math.round(secs));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m ? t('agent.event.durationMinSec', { m, s: String(s).padStart(2, '0') }) : t('agent.event.durationSec', { s });
}

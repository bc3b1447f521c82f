// System event lines (messages of kind "event") as the visitor reads them. The server sends a
// code in `body` and who/what in `sender_name` / `data`; we translate. Internal details (the
// transfer note for the next agent) are never shown to the visitor. Pure; tested in events.test.ts.

import type { Translate } from '../i18n';
import type { Message } from './types';

type EventMessage = Pick<Message, 'body' | 'sender_name' | 'data'>;

export function eventText(t: Translate, m: EventMessage): string {
  const name = m.sender_name?.trim();
  switch (m.body) {
    case 'assigned':
      return name ? t('eventAssigned', { name }) : t('eventAssignedAnon');
    case 'transferred':
      return t('eventTransferred');
    case 'closed':
      return t('eventClosed');
    case 'abandoned':
      return t('eventAbandoned');
    case 'requeued':
      return t('eventRequeued');
    case 'blocked': {
      const reason = m.data?.reason?.trim();
      return reason ? t('eventBlockedReason', { reason }) : t('eventBlocked');
    }
    case 'call_started':
      return t('eventCallStarted', { media: mediaWord(t, m.data) });
    case 'call_ended': {
      const media = mediaWord(t, m.data);
      const reason = callData(m.data).end_reason;
      if (reason === 'missed') return t('eventCallMissed', { media });
      if (reason === 'declined') return t('eventCallDeclined', { media });
      const secs = callData(m.data).duration_secs;
      return typeof secs === 'number' ? t('eventCallEnded', { media, duration: duration(t, secs) }) : t('eventCallEndedShort', { media });
    }
    case 'recording_started':
    case 'local_recording_started':
      return t('eventRecordingStarted');
    case 'recording_paused':
      return t('eventRecordingPaused');
    case 'recording_resumed':
      return t('eventRecordingResumed');
    case 'recording_stopped':
    case 'recording_failed':
    case 'local_recording_stopped':
      return t('eventRecordingStopped');
    default:
      // A code this build does not know (a newer server): better its text than nothing.
      return m.body;
  }
}

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
  return callData(data).media === 'voice' ? t('callVoice') : t('callVideo');
}

/** "3 分 05 秒" / "3 min 05 s"; under a minute only seconds. */
export function duration(t: Translate, secs: number): string {
  const total = Math.max(0, Math.round(secs));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m ? t('durationMinSec', { m, s: String(s).padStart(2, '0') }) : t('durationSec', { s });
}

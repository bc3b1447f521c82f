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
    default:
      // A code this build does not know (a newer server): better its text than nothing.
      return m.body;
  }
}

//! What happens when a signed-in session starts and ends: the socket opens first, then the REST
//! snapshots load (so no event between the two is lost); on sign-out everything is dropped.

import { startRealtime, stopRealtime } from '../realtime/bridge';
import { useAgentStatusStore } from '../stores/agentStatus';
import { useAttachmentsStore } from '../stores/attachments';
import { useCannedStore } from '../stores/canned';
import { useConversationsStore } from '../stores/conversations';
import { useCustomersStore } from '../stores/customers';
import { useDirectoryStore } from '../stores/directory';
import { useFloorStore } from '../stores/floor';
import { useMoodsStore } from '../stores/moods';
import { useNotificationsStore } from '../stores/notifications';
import { useOffersStore } from '../stores/offers';
import { useRecordingsStore } from '../stores/recordings';
import { useSessionStore } from '../stores/session';
import { useSupervisorStore } from '../stores/supervisor';
import { useTagsStore } from '../stores/tags';
import { reportError } from './feedback';

export function startSession(): void {
  const session = useSessionStore();
  if (!session.token) return;
  startRealtime(session.token);
  const loads: Promise<unknown>[] = [
    useAgentStatusStore().load(),
    useConversationsStore().loadActive(),
    useOffersStore().loadPending(),
    useDirectoryStore().loadGroups(),
    useDirectoryStore().loadAgents(),
    useDirectoryStore().loadWrapUpCodes(),
    useNotificationsStore().load(),
    useTagsStore().load(),
  ];
  for (const p of loads) p.catch(reportError);
}

export function endSession(): void {
  stopRealtime();
  useConversationsStore().reset();
  useOffersStore().reset();
  useAgentStatusStore().reset();
  useDirectoryStore().reset();
  useCustomersStore().reset();
  useSupervisorStore().reset();
  useFloorStore().reset();
  useMoodsStore().reset();
  useAttachmentsStore().reset();
  useCannedStore().reset();
  useRecordingsStore().reset();
  useNotificationsStore().reset();
  useTagsStore().reset();
}

export async function signOut(): Promise<void> {
  endSession();
  await useSessionStore().logout();
}

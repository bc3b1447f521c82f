// Calls of a conversation (video service, or a call started from a chat), as seen by staff.
import { http } from './client';
import { everyPage } from './everyPage';
import type * as Api from '@kefu/api';
import type { CallMedia, CallView, Id } from './types';

export const callsApi = {
  start: (conversationId: Id, media: CallMedia) => http.post<CallView>(`/conversations/${conversationId}/calls`, { media }),
  get: (id: Id) => http.get<CallView>(`/calls/${id}`),
  accept: (id: Id) => http.post<CallView>(`/calls/${id}/accept`),
  decline: (id: Id) => http.post<CallView>(`/calls/${id}/decline`),
  hangup: (id: Id) => http.post<CallView>(`/calls/${id}/hangup`),
  /** Start, stop, pause or resume the server's recording of the call (the serving agent). */
  recording: (id: Id, action: Api.RecordingAction) => http.post<CallView>(`/calls/${id}/recording`, { action }),
  /** Tells the server my browser starts or stops recording the call (client-side recording). */
  localRecording: (id: Id, action: Api.LocalRecordingAction) => http.post<CallView>(`/calls/${id}/local-recording`, { action }),
  /** Asks the visitor's device for a full-resolution still of its camera (202, ephemeral). */
  snapshot: (id: Id) => http.post<Api.SnapshotRequested>(`/calls/${id}/snapshots`),
  iceServers: (id: Id) => http.get<Api.IceServers>(`/calls/${id}/ice-servers`).then((r) => r.ice_servers.map(toRtc)),
  /** The side-by-side MP4 of a recorded call (404 until its job starts), with a signed `play_url`. */
  composition: (id: Id) => http.get<Api.CompositionView>(`/calls/${id}/composition`),
  /** The recording files of a conversation's calls that I may fetch. */
  recordingsOf: (conversationId: Id) => everyPage<Api.RecordingView>(`/conversations/${conversationId}/recordings`, 'recordings'),
  /** A call's quality timeline (staff only). */
  quality: (id: Id) => http.get<Api.CallQuality>(`/calls/${id}/quality`).then((r) => r.samples),
  /**
   * What joining media needs: the ICE servers and the camera capture size the deployment sets,
   * and whether it lets me record the call in my browser.
   */
  media: (id: Id) =>
    http
      .get<Api.IceServers>(`/calls/${id}/ice-servers`)
      .then((r) => ({ iceServers: r.ice_servers.map(toRtc), capture: r.capture, clientRecording: r.client_recording })),
};

/** The server's ICE server as RTCPeerConnection takes it (no null fields). */
function toRtc(s: Api.IceServer): RTCIceServer {
  const out: RTCIceServer = { urls: s.urls };
  if (s.username) out.username = s.username;
  if (s.credential) out.credential = s.credential;
  return out;
}

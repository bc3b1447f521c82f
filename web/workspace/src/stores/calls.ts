//! Calls in my conversations and the one I am in. Calls arrive as `call.updated` conversation
//! events (routed here by the bridge, in order) and REST answers; the media (a CallSession of
//! @kefu/realtime/call: one RTCPeerConnection to the SFU) is joined as soon as a call of my
//! conversation turns active — after I accept a ringing call, or at once when I take the offer of
//! a "video service" conversation. Components read this store and call its actions; the socket is
//! reached only through the sender the bridge sets.

import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef, watch } from 'vue';
import {
  CallSession,
  callErrorKind,
  exposeCallForTests,
  openLocalMedia,
  stopStream,
  watchNetwork,
  type CallMediaState,
  type CallServerFrame,
  type CaptureSize,
  type NetworkQuality,
} from '@kefu/realtime/call';
import { callsApi } from '../api/calls';
import { canRecordLocally, LocalRecorder, saveRecording } from '../features/agent/localRecorder';
import { reportWarning } from '../app/feedback';
import { i18n } from '../app/i18n';
import type { CallMedia, CallView, Conversation, Id } from '../api/types';
import { useConversationsStore } from './conversations';
import { useSessionStore } from './session';

/** The call I am in: its media state and my controls. */
export interface MyCall {
  callId: Id;
  conversationId: Id;
  media: CallMedia;
  state: CallMediaState;
  muted: boolean;
  cameraOff: boolean;
  /** My screen is being shared. */
  sharing: boolean;
  /** The deployment lets me record this call in my browser (本地录制) and this browser can. */
  canRecordLocally: boolean;
  /** When my local recording began (this browser's clock), null when not recording. */
  localSince: number | null;
  /** The customer's connection went and the call waits for them to join again (`call.peer`). */
  peerAway: boolean;
}

type Sender = (frame: unknown) => boolean;

/** A call's status only moves forward: ringing -> active -> ended. */
const RANK: Record<CallView['status'], number> = { ringing: 0, active: 1, ended: 2 };

/** `snapshotPending` while the snapshot request itself is on its way. */
const ASKING = 'asking';

export const useCallsStore = defineStore('calls', () => {
  /** The latest call of each conversation (ended ones too: the pane shows it is over). */
  const byConversation = ref(new Map<Id, CallView>());
  const mine = ref<MyCall | null>(null);
  const localStream = shallowRef<MediaStream | null>(null);
  const remoteStream = shallowRef<MediaStream | null>(null);
  /** The customer's shared screen (shown large, their camera small), null when none. */
  const remoteScreen = shallowRef<MediaStream | null>(null);
  /** The sound of the screen the other side shares (a shared tab's audio), beside their voice. */
  const remoteScreenSound = shallowRef<MediaStream | null>(null);
  /** The sound of the screen I share (a shared tab's audio), null when none: my local recording mixes it in. */
  const myScreenSound = shallowRef<MediaStream | null>(null);
  /** The network-quality indicator of my call (from my browser's getStats), null before a reading. */
  const network = ref<NetworkQuality | null>(null);
  let stopNetwork: (() => void) | null = null;
  /** A call being started, accepted, declined or hung up (buttons wait). */
  const busy = ref(false);
  /** A snapshot asked for and not yet arrived (the capture button waits; the request id). */
  const snapshotPending = ref<string | null>(null);
  let snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  /** Calls I declined here: their prompt goes away before the server's event. */
  const dismissed = ref(new Set<Id>());

  let session: CallSession | null = null;
  /** My local recording of the call, if one runs. */
  let recorder: LocalRecorder | null = null;
  /** A local recording being started or stopped (its button waits). */
  const localBusy = ref(false);
  let sender: Sender = () => false;
  /** Frames that arrived before the session existed (only for the call being joined). */
  let early: CallServerFrame[] = [];
  let joining: Id | null = null;
  /** Calls another tab or window of mine took (`call.replaced`): not joined again from here. */
  const replaced = new Set<Id>();

  const conversations = useConversationsStore();
  const me = computed(() => useSessionStore().user?.id ?? null);

  function isMyConversation(id: Id): boolean {
    const c = conversations.byId.get(id);
    return !!c && c.status === 'assigned' && c.agent_id === me.value;
  }

  /** Ringing calls the visitor started in my conversations, oldest first: the incoming-call dialog. */
  const incoming = computed(() =>
    [...byConversation.value.values()]
      .filter((c) => c.status === 'ringing' && c.started_by === 'visitor' && !dismissed.value.has(c.id) && isMyConversation(c.conversation_id))
      .sort((a, b) => a.started_at.localeCompare(b.started_at) || a.id - b.id),
  );

  function callOf(conversationId: Id): CallView | undefined {
    return byConversation.value.get(conversationId);
  }

  /** Set by the bridge (the only module that holds the socket); null when it stops. */
  function setSender(s: Sender | null): void {
    sender = s ?? (() => false);
  }

  /** A `call.updated` event or a REST answer. */
  function apply(call: CallView): void {
    const known = byConversation.value.get(call.conversation_id);
    if (known && call.id < known.id) return; // an older call's late news
    if (known && call.id === known.id && RANK[call.status] < RANK[known.status]) return; // a stale copy
    byConversation.value.set(call.conversation_id, call);
    if (call.status === 'ended') {
      dismissed.value.delete(call.id);
      if (mine.value?.callId === call.id || joining === call.id) release();
    } else if (call.status === 'active' && mine.value?.callId !== call.id && joining !== call.id && !replaced.has(call.id) && isMyConversation(call.conversation_id)) {
      void join(call).catch(() => {});
    }
  }

  /**
   * A fresh copy of a conversation (REST snapshot or event): its open call (`call`), and a call
   * that became mine only now (the conversation was assigned after the
   * call's event arrived) is joined.
   */
  function noteConversation(c: Conversation): void {
    if (c.call) apply(c.call);
    const known = byConversation.value.get(c.id);
    if (known?.status === 'active' && mine.value?.callId !== known.id && joining !== known.id && !replaced.has(known.id) && isMyConversation(c.id)) {
      void join(known).catch(() => {});
    }
  }

  /** `call.answer` / `call.offer` / `call.error` from the socket. */
  function signal(frame: CallServerFrame): void {
    // The answer to a join of a call that ended meanwhile: the call as it ended, as `call.updated` has it.
    if (frame.type === 'call.ended') {
      if (frame.data) apply(frame.data as CallView);
      return;
    }
    if (session) void session.handle(frame);
    else if (joining !== null && frame.call_id === joining) early.push(frame);
  }

  /** The socket connected again after it was lost: my call's media joins again through it. */
  function socketReopened(): void {
    void session?.socketReopened();
  }

  /** Opens camera and microphone (the pre-call check); rejects with a DeviceError. */
  async function ensureMedia(media: CallMedia): Promise<MediaStream> {
    if (localStream.value) return localStream.value;
    const stream = markRaw(await openLocalMedia(media));
    localStream.value = stream;
    return stream;
  }

  /** Starts a call from the chat; the visitor accepts (or not). */
  async function start(conversationId: Id, media: CallMedia = 'video'): Promise<void> {
    busy.value = true;
    try {
      await ensureMedia(media);
      apply(await callsApi.start(conversationId, media));
    } catch (e) {
      if (!mine.value && joining === null) dropLocal();
      throw e;
    } finally {
      busy.value = false;
    }
  }

  async function accept(callId: Id): Promise<void> {
    const call = [...byConversation.value.values()].find((c) => c.id === callId);
    busy.value = true;
    try {
      await ensureMedia(call?.media ?? 'video');
      apply(await callsApi.accept(callId));
    } catch (e) {
      if (!mine.value && joining === null) dropLocal();
      throw e;
    } finally {
      busy.value = false;
    }
  }

  async function decline(callId: Id): Promise<void> {
    dismissed.value.add(callId);
    busy.value = true;
    try {
      apply(await callsApi.decline(callId));
    } finally {
      busy.value = false;
    }
  }

  /** A call's quality timeline, for its record in the conversation. */
  function quality(callId: Id) {
    return callsApi.quality(callId);
  }

  /** Ends the call of a conversation (mine, or a ringing one I started). */
  async function hangup(callId: Id): Promise<void> {
    busy.value = true;
    try {
      apply(await callsApi.hangup(callId));
    } finally {
      busy.value = false;
    }
  }

  async function join(call: CallView): Promise<void> {
    joining = call.id;
    early = [];
    try {
      const stream = await ensureMedia(call.media);
      let iceServers: RTCIceServer[] = [];
      let capture: CaptureSize | undefined;
      let clientRecording = false;
      try {
        ({ iceServers, capture, clientRecording } = await callsApi.media(call.id));
      } catch {
        // No TURN list: host candidates may still do.
      }
      if (joining !== call.id) return; // ended meanwhile
      const remote = markRaw(new MediaStream());
      remoteStream.value = remote;
      mine.value = {
        callId: call.id,
        conversationId: call.conversation_id,
        media: call.media,
        state: 'idle',
        muted: false,
        cameraOff: false,
        sharing: false,
        canRecordLocally: clientRecording && canRecordLocally(),
        localSince: null,
        peerAway: false,
      };
      const s = markRaw(
        new CallSession({
          callId: call.id,
          send: (f) => sender(f),
          iceServers,
          capture,
          onTrack: (track, source) => {
            if (source === 'screen') {
              remoteScreen.value = markRaw(new MediaStream([track]));
              return;
            }
            if (source === 'screen-audio') {
              remoteScreenSound.value = markRaw(new MediaStream([track]));
              return;
            }
            for (const old of remote.getTracks().filter((x) => x.kind === track.kind)) remote.removeTrack(old);
            remote.addTrack(track);
            // A new object so that watchers (the <video> srcObject) see the change.
            remoteStream.value = markRaw(new MediaStream(remote.getTracks()));
          },
          onTrackEnded: (track) => {
            if (remoteScreen.value?.getTracks().includes(track)) {
              remoteScreen.value = null;
            } else if (remoteScreenSound.value?.getTracks().includes(track)) {
              remoteScreenSound.value = null;
            } else if (remote.getTracks().includes(track)) {
              remote.removeTrack(track);
              remoteStream.value = markRaw(new MediaStream(remote.getTracks()));
            }
          },
          onScreenEnded: () => {
            myScreenSound.value = null;
            if (mine.value?.callId === call.id) mine.value = { ...mine.value, sharing: false };
          },
          onState: (state) => {
            if (mine.value?.callId === call.id) mine.value = { ...mine.value, state };
          },
          onPeerAway: (peerAway) => {
            if (mine.value?.callId === call.id) mine.value = { ...mine.value, peerAway };
          },
          // Another tab or window of mine joined the call and took it: this one steps out quietly.
          onReplaced: () => {
            replaced.add(call.id);
            if (mine.value?.callId === call.id || joining === call.id) release();
            reportWarning(i18n.global.t('agent.call.continuesElsewhere'));
          },
          // The call's media moved to another server (`call.moved`): the indicator follows the new connection.
          onPeer: (peer) => {
            stopNetwork?.();
            network.value = null;
            stopNetwork = watchNetwork(peer, (q) => (network.value = q));
          },
          onError: (code, message) => {
            console.warn('call', call.id, code, message);
            reportWarning(i18n.global.t(`agent.call.errors.${callErrorKind(code)}`));
          },
        }),
      );
      session = s;
      exposeCallForTests(s);
      stopNetwork?.();
      stopNetwork = watchNetwork(s.peer, (q) => (network.value = q));
      const tracks = stream.getTracks();
      const receive: ('audio' | 'video')[] = [];
      if (!tracks.some((t) => t.kind === 'audio')) receive.push('audio');
      // A voice call neither sends nor receives video.
      if (call.media === 'video' && !tracks.some((t) => t.kind === 'video')) receive.push('video');
      const joined = s.join(tracks, receive);
      for (const f of early.splice(0)) void s.handle(f);
      await joined;
    } catch (e) {
      // No camera/microphone or no permission: the visitor must not wait in an empty call.
      if (joining === call.id) {
        release();
        void callsApi.hangup(call.id).then(apply, () => {});
      }
      throw e;
    }
  }

  /**
   * Asks the customer's device for a snapshot of my call: a still of their own camera at full
   * resolution (not the video I receive), which arrives as an image message in the chat.
   */
  async function snapshot(): Promise<void> {
    const m = mine.value;
    if (!m || snapshotPending.value) return;
    // Pending from the click: the customer's device may answer (the image message arrives on
    // the socket) before this request's own answer does, and must free the button even then.
    snapshotPending.value = ASKING;
    let request_id: string;
    try {
      ({ request_id } = await callsApi.snapshot(m.callId));
    } catch (e) {
      snapshotPending.value = null;
      throw e;
    }
    if (snapshotPending.value !== ASKING) return; // it already arrived
    snapshotPending.value = request_id;
    clearTimeout(snapshotTimer);
    // The server forgets a request after 60 s: the button is free again by then at the latest.
    snapshotTimer = setTimeout(() => {
      if (snapshotPending.value === request_id) snapshotPending.value = null;
    }, 60_000);
  }

  /** A snapshot message arrived: the one asked for in my call, the button is free again. */
  function snapshotArrived(callId: Id): void {
    if (mine.value?.callId !== callId) return;
    snapshotPending.value = null;
    clearTimeout(snapshotTimer);
  }

  /** Start, stop, pause or resume the recording of my call; the answer is its new state. */
  async function recording(action: 'start' | 'stop' | 'pause' | 'resume'): Promise<void> {
    const m = mine.value;
    if (!m) return;
    apply(await callsApi.recording(m.callId, action));
  }

  /**
   * Starts recording my call in this browser. The server hears first (it refuses where the
   * deployment does not allow it, and shows the customer the recording notice), then the
   * recorder starts; if it cannot, the server hears that it stopped.
   */
  async function startLocalRecording(): Promise<void> {
    const m = mine.value;
    if (!m || recorder || localBusy.value) return;
    localBusy.value = true;
    try {
      apply(await callsApi.localRecording(m.callId, 'start'));
      if (mine.value?.callId !== m.callId) return; // the call ended meanwhile
      try {
        recorder = markRaw(new LocalRecorder(sources(), m.media === 'video'));
      } catch (e) {
        void callsApi.localRecording(m.callId, 'stop').then(apply, () => {});
        throw e;
      }
      mine.value = { ...mine.value, localSince: recorder.startedAt };
    } finally {
      localBusy.value = false;
    }
  }

  /** Stops my local recording and saves its file (a download); the server hears it stopped. */
  async function stopLocalRecording(): Promise<void> {
    const r = recorder;
    const m = mine.value;
    if (!r) return;
    recorder = null;
    localBusy.value = true;
    if (m) mine.value = { ...m, localSince: null };
    try {
      saveRecording(await r.stop(), m?.callId ?? 0, r.startedAt);
      if (m) apply(await callsApi.localRecording(m.callId, 'stop'));
    } finally {
      localBusy.value = false;
    }
  }

  function sources() {
    const screenSounds = [remoteScreenSound.value, myScreenSound.value].filter((s): s is MediaStream => s !== null);
    return { remote: remoteStream.value, screen: remoteScreen.value, local: localStream.value, screenSounds };
  }
  watch([remoteStream, remoteScreen, localStream, remoteScreenSound, myScreenSound], () => recorder?.update(sources()));

  /** Shares my screen (the browser asks which one); rejects when refused or unsupported. */
  async function shareScreen(): Promise<void> {
    const m = mine.value;
    if (!m || !session || session.sharing) return;
    const md = navigator.mediaDevices;
    if (!md?.getDisplayMedia) throw new Error('getDisplayMedia is not available');
    // The sound too where the browser offers it (Chromium: a shared tab's audio); it is sent
    // beside the microphone, and recorded with the screen.
    const stream = await md.getDisplayMedia({ video: true, audio: true });
    const track = stream.getVideoTracks()[0];
    const sound = stream.getAudioTracks()[0] ?? null;
    if (!track) {
      sound?.stop();
      return;
    }
    if (!session || mine.value?.callId !== m.callId) {
      for (const t of stream.getTracks()) t.stop(); // the call ended while the browser was asking
      return;
    }
    // Text and slides stay sharp rather than smooth.
    if ('contentHint' in track) track.contentHint = 'detail';
    mine.value = { ...mine.value, sharing: true };
    await session.shareScreen(track, sound);
    if (sound && sound.readyState === 'live') myScreenSound.value = markRaw(new MediaStream([sound]));
  }

  async function stopScreen(): Promise<void> {
    await session?.stopScreen();
  }

  function release(): void {
    // The call ended under a local recording: the agent keeps what was recorded (the server
    // ended it with the call).
    if (recorder) {
      const r = recorder;
      const id = mine.value?.callId ?? 0;
      recorder = null;
      void r.stop().then((blob) => saveRecording(blob, id, r.startedAt));
    }
    snapshotPending.value = null;
    clearTimeout(snapshotTimer);
    joining = null;
    early = [];
    session?.leave();
    session = null;
    stopNetwork?.();
    stopNetwork = null;
    network.value = null;
    exposeCallForTests(null);
    mine.value = null;
    remoteStream.value = null;
    remoteScreen.value = null;
    remoteScreenSound.value = null;
    myScreenSound.value = null;
    dropLocal();
  }

  function dropLocal(): void {
    stopStream(localStream.value);
    localStream.value = null;
  }

  function setMuted(muted: boolean): void {
    for (const t of localStream.value?.getAudioTracks() ?? []) t.enabled = !muted;
    if (mine.value) mine.value = { ...mine.value, muted };
  }

  function setCameraOff(off: boolean): void {
    for (const t of localStream.value?.getVideoTracks() ?? []) t.enabled = !off;
    if (mine.value) mine.value = { ...mine.value, cameraOff: off };
  }

  /** The conversation left my desk (closed, transferred): its call's media goes with it. */
  function conversationGone(conversationId: Id): void {
    if (mine.value?.conversationId === conversationId) release();
  }

  function reset(): void {
    release();
    byConversation.value = new Map();
    dismissed.value = new Set();
    busy.value = false;
  }

  return {
    byConversation,
    mine,
    localStream,
    remoteStream,
    remoteScreen,
    remoteScreenSound,
    network,
    quality,
    busy,
    snapshotPending,
    incoming,
    callOf,
    setSender,
    apply,
    noteConversation,
    signal,
    socketReopened,
    start,
    accept,
    decline,
    hangup,
    setMuted,
    setCameraOff,
    shareScreen,
    stopScreen,
    snapshot,
    snapshotArrived,
    recording,
    localBusy,
    startLocalRecording,
    stopLocalRecording,
    conversationGone,
    reset,
  };
});

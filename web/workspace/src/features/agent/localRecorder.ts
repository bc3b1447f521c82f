// Client-side recording (本地录制) of the agent's call: one WebM made in this browser with
// MediaRecorder and saved as a download. What it records is the composed view the agent sees —
// the customer's camera large (their shared screen large and their camera small while they share),
// the agent's own camera small in the corner — with the customer's and the agent's voices and the
// sound of a screen either of them shares (a shared tab's audio) mixed.
// Why composed rather than the customer's track alone: a reviewer needs both faces and both voices
// in one file, and the tracks change during a call (a camera switched, a screen shared, a track
// renegotiated) while a MediaRecorder stops when its stream's track set changes; a canvas and a
// mixing AudioContext give it one video and one audio track that stay for the whole recording.

/** The streams of the call now (they change as tracks come and go). */
export interface RecordingSources {
  remote: MediaStream | null;
  screen: MediaStream | null;
  local: MediaStream | null;
  /** The sound of the screens shared now, on either side (a shared tab's audio). */
  screenSounds: MediaStream[];
}

/**
 * Frames drawn per second into the recording: enough for a reviewer to follow faces and
 * documents held up, and 40 % less encoding than 25 fps on an agent's PC that is already encoding
 * its camera in three layers and decoding the customer's.
 */
const FPS = 15;
const WIDTH = 1280;
const HEIGHT = 720;

/**
 * The type to record. H.264 in Matroska first: an agent's PC encodes it in hardware, and where it
 * cannot, Chromium's software H.264 encoder still kept 118 of 120 frames of 1280x720 (5 s at
 * 24 fps) on an overloaded 2-core machine where its software VP8 encoder kept 2 to 25. Else VP8 + Opus in WebM. As the server's recordings: WebM for VP8,
 * Matroska for H.264.
 */
function mimeType(video: boolean): string {
  const wanted = video
    ? ['video/x-matroska;codecs=avc1,opus', 'video/webm;codecs=vp8,opus', 'video/webm']
    : ['audio/webm;codecs=opus', 'audio/webm'];
  return wanted.find((t) => MediaRecorder.isTypeSupported(t)) ?? '';
}

/** Whether this browser can record a call at all. */
export function canRecordLocally(): boolean {
  return typeof MediaRecorder !== 'undefined' && typeof AudioContext !== 'undefined';
}

/** A muted off-screen <video> playing `stream`, to draw from. */
function player(): HTMLVideoElement {
  const v = document.createElement('video');
  v.muted = true;
  v.playsInline = true;
  return v;
}

function setStream(v: HTMLVideoElement, s: MediaStream | null): void {
  const video = s && s.getVideoTracks().length > 0 ? s : null;
  if (v.srcObject === video) return;
  v.srcObject = video;
  if (video) void v.play().catch(() => {});
}

/** Draw `v` into the box keeping its aspect ratio (black around it); nothing when it has no picture. */
function drawFit(g: CanvasRenderingContext2D, v: HTMLVideoElement, x: number, y: number, w: number, h: number): boolean {
  if (!v.srcObject || v.readyState < 2 || !v.videoWidth || !v.videoHeight) return false;
  const k = Math.min(w / v.videoWidth, h / v.videoHeight);
  const dw = v.videoWidth * k;
  const dh = v.videoHeight * k;
  g.drawImage(v, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh);
  return true;
}

export class LocalRecorder {
  readonly startedAt = Date.now();
  readonly #recorder: MediaRecorder;
  readonly #chunks: Blob[] = [];
  readonly #audio: AudioContext;
  readonly #mix: MediaStreamAudioDestinationNode;
  #inputs: MediaStreamAudioSourceNode[] = [];
  #audioIds = '';
  readonly #canvas: HTMLCanvasElement | null = null;
  readonly #players = { main: player(), small: player(), pip: player() };
  #timer: ReturnType<typeof setInterval> | undefined;
  #frames: CanvasCaptureMediaStreamTrack | undefined;
  #sources: RecordingSources;
  readonly #done: Promise<Blob>;

  /** Starts recording at once; `video` false (a voice call) records sound only. */
  constructor(sources: RecordingSources, video: boolean) {
    this.#sources = sources;
    this.#audio = new AudioContext();
    this.#mix = this.#audio.createMediaStreamDestination();
    const tracks: MediaStreamTrack[] = [...this.#mix.stream.getAudioTracks()];
    if (video) {
      const c = document.createElement('canvas');
      c.width = WIDTH;
      c.height = HEIGHT;
      this.#canvas = c;
      // Frames are pushed after each drawing (rate 0 + requestFrame): a detached canvas is not
      // painted, and an automatic capture of it gives only a few frames a second.
      const [track] = c.captureStream(0).getVideoTracks();
      this.#frames = track as CanvasCaptureMediaStreamTrack | undefined;
      if (track) tracks.unshift(track);
      // A timer, not requestAnimationFrame: frames go on while the agent looks at another tab
      // (a page playing the call's sound is not throttled to one wake-up a second).
      this.#timer = setInterval(() => this.#draw(), 1000 / FPS);
    }
    this.update(sources);
    if (video) this.#draw();
    this.#recorder = new MediaRecorder(new MediaStream(tracks), { mimeType: mimeType(video) || undefined });
    this.#done = new Promise<Blob>((resolve) => {
      this.#recorder.ondataavailable = (e) => {
        if (e.data.size > 0) this.#chunks.push(e.data);
      };
      this.#recorder.onstop = () => resolve(new Blob(this.#chunks, { type: this.#recorder.mimeType || 'video/webm' }));
    });
    // Chunks every second: a recording cut short (the tab closed) has lost at most the last one.
    this.#recorder.start(1000);
  }

  /** The call's streams changed: draw and mix the new ones. */
  update(sources: RecordingSources): void {
    this.#sources = sources;
    const { main, small, pip } = this.#players;
    setStream(main, sources.screen ?? sources.remote);
    setStream(small, sources.screen ? sources.remote : null);
    setStream(pip, sources.local);
    const audio = [sources.remote, sources.local, ...sources.screenSounds].flatMap((s) => s?.getAudioTracks() ?? []);
    const ids = audio.map((t) => t.id).join(',');
    if (ids === this.#audioIds) return;
    this.#audioIds = ids;
    for (const n of this.#inputs) n.disconnect();
    this.#inputs = audio.map((t) => {
      const n = this.#audio.createMediaStreamSource(new MediaStream([t]));
      n.connect(this.#mix);
      return n;
    });
  }

  #draw(): void {
    const g = this.#canvas?.getContext('2d');
    if (!g) return;
    const { main, small, pip } = this.#players;
    g.fillStyle = '#000';
    g.fillRect(0, 0, WIDTH, HEIGHT);
    drawFit(g, main, 0, 0, WIDTH, HEIGHT);
    const w = WIDTH / 4.5;
    const h = (w * 9) / 16;
    if (this.#sources.screen) drawFit(g, small, 16, HEIGHT - h - 16, w, h);
    // The agent's own camera, mirrored as in the panel's preview.
    if (pip.srcObject && pip.readyState >= 2) {
      g.save();
      g.translate(WIDTH - 16, 0);
      g.scale(-1, 1);
      drawFit(g, pip, 0, HEIGHT - h - 16, w, h);
      g.restore();
    }
    this.#frames?.requestFrame();
  }

  /** Stops and returns the file. */
  async stop(): Promise<Blob> {
    if (this.#recorder.state !== 'inactive') this.#recorder.stop();
    const blob = await this.#done;
    clearInterval(this.#timer);
    for (const n of this.#inputs) n.disconnect();
    for (const v of Object.values(this.#players)) v.srcObject = null;
    for (const t of this.#mix.stream.getTracks()) t.stop();
    void this.#audio.close().catch(() => {});
    return blob;
  }
}

/** Save `blob` as a download named for the call and the time it started (`.mkv` for Matroska, else `.webm`). */
export function saveRecording(blob: Blob, callId: number, startedAt: number): void {
  const at = new Date(startedAt);
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `kefu-call-${callId}-${stamp}.${blob.type.includes('matroska') ? 'mkv' : 'webm'}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has its own copy once started.
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

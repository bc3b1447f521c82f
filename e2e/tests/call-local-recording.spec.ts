// Client-side recording (本地录制) through the real UIs, on a kefu of this spec's own with
// `client_recording = true`: a visitor starts the video service, agent1 takes it, presses 本地录制,
// the panel counts the time and the visitor's widget shows the same "this call is being recorded"
// notice as for the server's recording; after a few seconds the agent stops, the browser saves the
// file as a download (H.264 + Opus in Matroska in Chromium), and ffprobe finds a video and an audio stream in it (ffmpeg: frames decoded
// and sound that is not silence, the two voices mixed). The timeline and the audit log have both
// ends. On the shared kefu (the setting off) the control is absent. A second test mutes both
// voices and shares a tab with sound: the file still has sound, the tab's.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { agentReady, api, leaveFloor, ownKefu, prechat, startVideoService, withTestHooks } from './helpers';

ownKefu(() => 'client_recording = true\n');

/**
 * ffprobe's stream kinds, video size, video frames and the time of the last one (s), and
 * ffmpeg's peak volume (dB).
 */
function probe(path: string): { kinds: string[]; width: number; height: number; frames: number; lastFrame: number; maxVolume: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,nb_read_frames', '-of', 'json', path], {
    encoding: 'utf8',
  });
  const streams = (JSON.parse(out) as { streams: { codec_type: string; width?: number; height?: number; nb_read_frames?: string }[] }).streams;
  const video = streams.find((s) => s.codec_type === 'video');
  const packets = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  const lastFrame = Math.max(0, ...packets.split('\n').filter(Boolean).map((l) => parseFloat(l)));
  // volumedetect reports on stderr.
  const vol = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-map', '0:a', '-af', 'volumedetect', '-f', 'null', '-'], { encoding: 'utf8' });
  const m = /max_volume:\s*(-?[\d.]+) dB/.exec(vol.stderr ?? '');
  const maxVolume = m ? Number(m[1]) : -Infinity;
  return {
    kinds: streams.map((s) => s.codec_type).sort(),
    width: video?.width ?? 0,
    height: video?.height ?? 0,
    frames: Number(video?.nb_read_frames ?? 0),
    lastFrame,
    maxVolume,
  };
}

test('the agent records the call locally: the visitor is told, the file has video and sound, both ends are audited', async ({ browser }) => {
  test.setTimeout(150_000);
  const agent = await withTestHooks(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await withTestHooks(browser, 'zh-CN');
  const frame = await prechat(visitor.page, '本地录制客户');
  const { panel, callId } = await startVideoService(agent.page, visitor.page, frame);
  const notice = frame.getByTestId('call-recording-notice');
  await expect(notice, 'the server does not record this call').toBeHidden();
  // Let the customer's video arrive before recording starts.
  await expect(panel.getByTestId('call-remote-video')).toHaveJSProperty('readyState', 4, { timeout: 15_000 });

  const button = panel.getByTestId('call-local-record');
  await expect(button).toHaveText('本地录制');
  await button.click();
  await expect(panel.getByTestId('call-local-rec')).toContainText('本地录制中 00:0');
  await expect(button).toHaveText('停止本地录制');
  await expect(notice, "the visitor is told, as for the server's recording").toHaveText('本次通话正在录音录像');
  await new Promise((r) => setTimeout(r, 5_000));
  await expect(panel.getByTestId('call-local-rec')).toContainText(/本地录制中 00:0[4-9]/);

  const download = agent.page.waitForEvent('download');
  await button.click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(new RegExp(`^kefu-call-${callId}-\\d{8}-\\d{6}\\.mkv$`));
  await expect(panel.getByTestId('call-local-rec')).toHaveCount(0);
  await expect(notice, 'the notice goes with the recording').toBeHidden();
  await expect(agent.page.locator('[data-testid=system-line][data-event=local_recording_stopped]')).toBeVisible();

  const dir = mkdtempSync(join(tmpdir(), 'kefu-e2e-localrec-'));
  try {
    const path = join(dir, file.suggestedFilename());
    await file.saveAs(path);
    const p = probe(path);
    console.log(
      `local recording: ${statSync(path).size} bytes, streams ${p.kinds.join('+')}, ${p.width}x${p.height}, ${p.frames} video frames, the last at ${p.lastFrame} s, peak ${p.maxVolume} dB`,
    );
    expect(p.kinds).toEqual(['audio', 'video']);
    expect([p.width, p.height]).toEqual([1280, 720]);
    // ~5 s at 15 fps are drawn; H.264 keeps up even on this busy 2-core machine (VP8 did not).
    expect(p.frames, 'video frames in the file').toBeGreaterThan(30);
    expect(p.lastFrame, 'pictures until near the end (s)').toBeGreaterThan(3.5);
    expect(p.maxVolume, 'sound in the file (the fake microphones beep)').toBeGreaterThan(-50);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The audit log has who started and stopped it.
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const audit = await api.get(admin, '/api/v1/audit-log?entity=local_recording');
  expect(audit.entries.map((e: { action: string; entity_id: string }) => `${e.action} ${e.entity_id}`)).toEqual([`stopped ${callId}`, `started ${callId}`]);

  await panel.getByTestId('call-hangup').click();
  await expect(panel).toBeHidden();
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});

test("the sound of the agent's shared tab is in the local recording, beside the voices (both muted here)", async ({ browser }) => {
  test.setTimeout(150_000);
  const agent = await withTestHooks(browser, 'en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await withTestHooks(browser, 'en-US');
  const frame = await prechat(visitor.page, 'Local recording with a shared tab');
  const { panel } = await startVideoService(agent.page, visitor.page, frame);
  await expect(panel.getByTestId('call-remote-video')).toHaveJSProperty('readyState', 4, { timeout: 15_000 });
  // Both voices off: what sound the file has can only be the shared tab's.
  await panel.getByTestId('call-mute').click();
  await expect(panel.getByTestId('call-mute')).toHaveAttribute('aria-pressed', 'true');
  await frame.getByTestId('call-mute').click();
  await expect(frame.getByTestId('call-mute')).toHaveAttribute('aria-pressed', 'true');
  // Chromium's fake capture answers getDisplayMedia({ video, audio: true }) with a screen and a sound.
  const share = panel.getByTestId('call-screen-share');
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'true');

  const button = panel.getByTestId('call-local-record');
  await button.click();
  await expect(panel.getByTestId('call-local-rec')).toBeVisible();
  await new Promise((r) => setTimeout(r, 4_000));
  const download = agent.page.waitForEvent('download');
  await button.click();
  const file = await download;
  const dir = mkdtempSync(join(tmpdir(), 'kefu-e2e-localrec-'));
  try {
    const path = join(dir, file.suggestedFilename());
    await file.saveAs(path);
    const p = probe(path);
    console.log(`local recording with a shared tab, voices muted: streams ${p.kinds.join('+')}, peak ${p.maxVolume} dB`);
    expect(p.kinds).toEqual(['audio', 'video']);
    expect(p.maxVolume, "the shared tab's sound in the file").toBeGreaterThan(-50);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'false');
  await panel.getByTestId('call-hangup').click();
  await expect(panel).toBeHidden();
  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});

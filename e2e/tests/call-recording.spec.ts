// Call recording through the real UIs: a business type whose policy is `always` (set through the
// admin API), a visitor on /demo who picks it and starts the video service, agent1 who takes the
// offer. The visitor is told the call is recorded (and when the agent pauses it); after ~8 s the
// agent hangs up. Then each side's WebM file is downloaded through the API: its SHA-256 is the one
// the API shows, and ffprobe finds a video and an audio stream whose duration matches the call
// (answered -> ended) within 1 s.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { agentReady, api, base, leaveFloor, startVideoService, withTestHooks } from './helpers';

/** ffprobe's duration (s), stream kinds and video width of a file. */
function probe(path: string): { duration: number; kinds: string[]; width: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,width', '-of', 'json', path], { encoding: 'utf8' });
  const json = JSON.parse(out) as { format: { duration: string }; streams: { codec_type: string; width?: number }[] };
  const width = json.streams.find((s) => s.codec_type === 'video')?.width ?? 0;
  return { duration: Number(json.format.duration), kinds: json.streams.map((s) => s.codec_type).sort(), width };
}

test('an always-recorded video call: the visitor is told, and both files match the call', async ({ browser }) => {
  test.setTimeout(150_000);
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const typeName = `录制业务 Recorded ${Date.now() % 100000}`;
  const type = await api.post(admin, '/api/v1/business-types', { name: typeName, group_id: 1, min_skill_level: 1 });
  await api.call('PUT', `/api/v1/business-types/${type.id}/recording-policy`, admin, { policy: 'always' });

  const agent = await withTestHooks(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await withTestHooks(browser, 'zh-CN');
  await visitor.page.goto(`${base()}/demo`);
  await visitor.page.getByTestId('kefu-launcher').click();
  const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
  await frame.getByTestId('prechat-name').fill('录制客户');
  await frame.getByTestId('prechat-business-type').selectOption({ label: typeName });
  const { panel, callId } = await startVideoService(agent.page, visitor.page, frame);

  // The visitor is told on screen; the agent sees REC and may pause (not stop: always).
  const notice = frame.getByTestId('call-recording-notice');
  await expect(notice).toHaveText('本次通话正在录音录像');
  await expect(panel.getByTestId('call-rec')).toHaveText('录制中');
  await expect(panel.getByTestId('call-rec-stop')).toHaveCount(0);
  await new Promise((r) => setTimeout(r, 3_000));
  await panel.getByTestId('call-rec-pause').click();
  await expect(notice).toHaveText('录音录像已暂停');
  await expect(panel.getByTestId('call-rec')).toHaveAttribute('data-state', 'paused');
  await new Promise((r) => setTimeout(r, 2_000));
  await panel.getByTestId('call-rec-resume').click();
  await expect(notice).toHaveText('本次通话正在录音录像');
  await new Promise((r) => setTimeout(r, 3_000));
  await panel.getByTestId('call-hangup').click();
  await expect(panel).toBeHidden();
  await expect(agent.page.locator('[data-testid=system-line][data-event=recording_paused]')).toBeVisible();

  const token = await api.login('agent1@demo.kefu', 'demo-agent');
  const call = await api.get(token, `/api/v1/calls/${callId}`);
  const callSecs = (Date.parse(call.ended_at) - Date.parse(call.answered_at)) / 1000;
  let files: { id: number; role: string; status: string; sha256: string; url: string }[] = [];
  await expect
    .poll(async () => {
      files = (await api.get(token, `/api/v1/calls/${callId}/recordings`)).recordings;
      return files.map((f) => f.status).join(',');
    }, { timeout: 15_000 })
    .toBe('finished,finished');

  const dir = mkdtempSync(join(tmpdir(), 'kefu-e2e-rec-'));
  try {
    for (const f of files) {
      const res = await fetch(`${base()}${f.url}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex'), `${f.role}: the API's hash is the file's`).toBe(f.sha256);
      const path = join(dir, `${f.role}.webm`);
      writeFileSync(path, bytes);
      const { duration, kinds } = probe(path);
      console.log(`${f.role}: ${bytes.length} bytes, ${duration.toFixed(2)} s recorded for a ${callSecs.toFixed(2)} s call`);
      expect(kinds, f.role).toEqual(['audio', 'video']);
      expect(Math.abs(duration - callSecs), `${f.role}: ${duration} s vs the call's ${callSecs} s`).toBeLessThan(1);
    }
    // After the call, one side-by-side MP4 with the watermark, its hash stored.
    let composed: { status: string; sha256: string; url: string } | null = null;
    await expect
      .poll(async () => {
        composed = await api.get(token, `/api/v1/calls/${callId}/composition`).catch(() => null);
        return composed?.status;
      }, { timeout: 90_000 })
      .toBe('finished');
    const mp4 = await fetch(`${base()}${composed!.url}`, { headers: { authorization: `Bearer ${token}` } });
    expect(mp4.status).toBe(200);
    const mp4Bytes = Buffer.from(await mp4.arrayBuffer());
    expect(createHash('sha256').update(mp4Bytes).digest('hex')).toBe(composed!.sha256);
    writeFileSync(join(dir, 'composed.mp4'), mp4Bytes);
    const c = probe(join(dir, 'composed.mp4'));
    console.log(`composed: ${mp4Bytes.length} bytes, ${c.duration.toFixed(2)} s, ${c.width} px wide`);
    expect(c.kinds).toEqual(['audio', 'video']);
    expect(c.width, 'both sides next to each other').toBe(1280);
    expect(Math.abs(c.duration - callSecs)).toBeLessThan(1);

    // The visitor never gets them.
    const visitorToken = await api.visitor('someone');
    const res = await fetch(`${base()}${files[0]!.url}`, { headers: { authorization: `Bearer ${visitorToken}` } });
    expect(res.status).toBe(403);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await api.call('PUT', `/api/v1/business-types/${type.id}/recording-policy`, admin, { policy: null });
  }

  await leaveFloor('agent1@demo.kefu');
  await agent.context.close();
  await visitor.context.close();
});

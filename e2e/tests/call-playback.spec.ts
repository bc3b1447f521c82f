// Playback of a recorded call inside the conversation's history: a video call recorded under
// `always`, two chat messages said a few seconds apart during it. Once the call is over and the
// composition job has made the MP4, the agent opens the closed conversation from the history
// tab, plays the recording from its call line: the video really plays (readyState >= 2,
// currentTime advances), the chat of the call is beside it, the message of the moment is marked
// as the video passes its time, and clicking a message seeks the video there.
import { expect, test } from '@playwright/test';
import { agentReady, api, base, leaveFloor, startVideoService, withTestHooks } from './helpers';

test('a recorded call plays back in the history with its chat at the right times', async ({ browser }) => {
  test.setTimeout(180_000);
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const typeName = `回放业务 Playback ${Date.now() % 100000}`;
  const type = await api.post(admin, '/api/v1/business-types', { name: typeName, group_id: 1, min_skill_level: 1 });
  await api.call('PUT', `/api/v1/business-types/${type.id}/recording-policy`, admin, { policy: 'always' });

  try {
    const agent = await withTestHooks(browser, 'zh-CN');
    await agentReady(agent.page, 'agent1@demo.kefu');
    const visitor = await withTestHooks(browser, 'zh-CN');
    await visitor.page.goto(`${base()}/demo`);
    await visitor.page.getByTestId('kefu-launcher').click();
    const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
    await frame.getByTestId('prechat-name').fill('回放客户');
    await frame.getByTestId('prechat-business-type').selectOption({ label: typeName });
    const { panel, callId } = await startVideoService(agent.page, visitor.page, frame);
    const token = await api.login('agent1@demo.kefu', 'demo-agent');
    const call = await api.get(token, `/api/v1/calls/${callId}`);
    const conv = call.conversation_id as number;

    // Two lines a few seconds apart while the call is recorded.
    await new Promise((r) => setTimeout(r, 2_000));
    const first = await api.post(token, `/api/v1/conversations/${conv}/messages`, { body: '请出示您的证件' });
    await new Promise((r) => setTimeout(r, 4_000));
    const second = await api.post(token, `/api/v1/conversations/${conv}/messages`, { body: '好的，已经核对完毕' });
    await new Promise((r) => setTimeout(r, 3_000));
    await panel.getByTestId('call-hangup').click();
    await expect(panel).toBeHidden();
    await visitor.context.close();

    await expect
      .poll(async () => (await api.get(token, `/api/v1/calls/${callId}/composition`).catch(() => null))?.status, { timeout: 90_000 })
      .toBe('finished');
    const ended = await api.get(token, `/api/v1/calls/${callId}`);
    const callSecs = (Date.parse(ended.ended_at) - Date.parse(ended.answered_at)) / 1000;
    const files = (await api.get(token, `/api/v1/calls/${callId}/recordings`)).recordings as { role: string; duration_ms: number; started_at: string }[];
    console.log(`call ${callSecs} s; files ${files.map((f) => `${f.role} ${f.duration_ms} ms from ${f.started_at}`).join(', ')}`);
    await api.post(token, `/api/v1/conversations/${conv}/close`, { wrap_up_code: 'resolved' });

    // The history: the closed conversation, its call line offers the recording.
    await agent.page.getByTestId('conversation-tab-closed').click();
    await agent.page.locator(`[data-testid=closed-item][data-conversation-id="${conv}"]`).click();
    const history = agent.page.getByTestId('history-dialog');
    await history.getByTestId('call-playback-open').click();
    const player = agent.page.getByTestId('call-playback');
    const video = player.getByTestId('call-playback-video');
    await expect(video).toBeVisible();
    const lines = player.getByTestId('call-playback-line');
    const firstLine = player.locator(`[data-testid=call-playback-line][data-message-id="${first.id}"]`);
    const secondLine = player.locator(`[data-testid=call-playback-line][data-message-id="${second.id}"]`);
    await expect(firstLine).toContainText('请出示您的证件');
    await expect(secondLine).toContainText('好的，已经核对完毕');
    await expect(lines.filter({ hasText: '好的' })).toHaveCount(1);
    const firstAt = Number(await firstLine.getAttribute('data-at'));
    const secondAt = Number(await secondLine.getAttribute('data-at'));
    console.log(`messages at ${firstAt} s and ${secondAt} s of the recording`);
    expect(secondAt - firstAt).toBeGreaterThan(3);
    expect(secondAt - firstAt).toBeLessThan(6);

    // It plays: decodable frames, and time moves on.
    const state = () =>
      video.evaluate((v: HTMLVideoElement) => ({ t: v.currentTime, ready: v.readyState, duration: v.duration, error: v.error?.code ?? null }));
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      return v.play();
    });
    await expect.poll(async () => (await state()).ready, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const t0 = (await state()).t;
    await expect.poll(async () => (await state()).t, { timeout: 10_000 }).toBeGreaterThan(t0 + 1);
    const s = await state();
    console.log(`playing: readyState ${s.ready}, ${s.t.toFixed(2)} s of ${s.duration.toFixed(2)} s`);
    expect(s.error).toBeNull();

    // The message of the moment is marked once the video passes its time.
    await expect(firstLine).toHaveAttribute('data-active', 'true', { timeout: 15_000 });
    expect((await state()).t).toBeGreaterThanOrEqual(firstAt);
    await expect(secondLine).toHaveAttribute('data-active', 'false');

    // Clicking a message seeks the video to it.
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    await secondLine.click();
    await expect.poll(async () => Math.abs((await state()).t - secondAt), { timeout: 5_000 }).toBeLessThan(0.5);
    await expect(secondLine).toHaveAttribute('data-active', 'true');
    await expect(secondLine).toHaveAttribute('aria-current', 'true');
    await expect(firstLine).toHaveAttribute('data-active', 'false');
    await firstLine.click();
    await expect.poll(async () => Math.abs((await state()).t - firstAt), { timeout: 5_000 }).toBeLessThan(0.5);
    await expect(firstLine).toHaveAttribute('data-active', 'true');

    // The link the player used carries no token, only a short-lived signature.
    const src = await video.getAttribute('src');
    expect(src).toMatch(/^\/api\/v1\/calls\/\d+\/composition\/file\?by=u\d+&exp=\d+&sig=[0-9a-f]+$/);
    await agent.context.close();
  } finally {
    await api.call('PUT', `/api/v1/business-types/${type.id}/recording-policy`, admin, { policy: null });
    await leaveFloor('agent1@demo.kefu');
  }
});

// A customer who closes the page while waiting leaves the line after the grace period
// (`visitor_abandon_grace_secs`, 2 s on this spec's own kefu): their conversation is marked
// abandoned and those behind move up; a customer who reloads within the grace keeps their place.
import { expect, test } from '@playwright/test';
import { api, base, leaveFloor, ownKefu, person } from './helpers';

ownKefu(() => 'visitor_abandon_grace_secs = 2\n');

test('a closed widget tab leaves the line after the grace period; a reload keeps its place (zh-CN)', async ({ browser }) => {
  // Someone is logged in (away), so the line is open but nobody is served.
  const agent = await api.login('agent1@demo.kefu', 'demo-agent');
  await api.call('PUT', '/api/v1/agents/me/status', agent, { status: 'away', reason: 'meal' });

  const wait = async (name: string) => {
    const p = await person(browser, 'zh-CN');
    await p.page.goto(`${base()}/demo`);
    await p.page.getByTestId('kefu-launcher').click();
    const frame = p.page.frameLocator('[data-testid=kefu-frame]');
    await frame.getByTestId('prechat-name').fill(name);
    await frame.getByTestId('prechat-business-type').selectOption({ label: '信用卡业务 Credit cards' });
    await frame.getByTestId('prechat-start').click();
    return { ...p, frame };
  };
  const gone = await wait('关页面的客户');
  await expect(gone.frame.getByTestId('queue-position')).toHaveAttribute('data-position', '1');
  const stays = await wait('刷新的客户');
  await expect(stays.frame.getByTestId('queue-position')).toHaveAttribute('data-position', '2');

  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const queued = await api.get(admin, '/api/v1/conversations?status=queued');
  const mine = (name: string) => queued.conversations.find((c: { visitor: { name: string } }) => c.visitor.name === name);
  const goneId = mine('关页面的客户').id;
  const staysId = mine('刷新的客户').id;

  // The first customer closes the tab; the second reloads (back within the grace).
  await gone.context.close();
  await stays.page.reload();
  await stays.page.getByTestId('kefu-launcher').click();

  // After the grace: the closed tab has left the line, abandoned; the other moved up.
  await expect(stays.frame.getByTestId('queue-position')).toHaveAttribute('data-position', '1', { timeout: 10_000 });
  const left = await api.get(admin, `/api/v1/conversations/${goneId}`);
  expect(left).toMatchObject({ status: 'closed', abandoned: true });
  await new Promise((r) => setTimeout(r, 2500));
  expect(await api.get(admin, `/api/v1/conversations/${staysId}`)).toMatchObject({ status: 'queued' });

  // Nobody is left waiting.
  await stays.frame.getByTestId('queue-leave').click();
  await expect.poll(async () => (await api.get(admin, `/api/v1/conversations/${staysId}`)).status).toBe('closed');
  await stays.context.close();
  await leaveFloor('agent1@demo.kefu');
});

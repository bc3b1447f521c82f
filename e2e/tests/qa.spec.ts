// Quality inspection (质检) through the real pages, in Chinese: a conversation with a forbidden
// word closes and is scored automatically; a QA reviewer draws the week's sample, opens it from
// the queue, sees the hit on the agent's line, comments on that line and scores it with a form;
// the agent sees the result and appeals once; a supervisor upholds the appeal with a new score,
// which the agent then sees.
import { expect, test, type Page } from '@playwright/test';
import { api, base, leaveFloor, login, person } from './helpers';

/** Log in without going ready (nobody here takes chats through the page). */

async function until<T>(what: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await what();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

test('zh-CN: a reviewer scores a conversation, the agent appeals, the supervisor decides', async ({ browser }) => {
  const suffix = Date.now().toString(36);
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  await api.post(admin, '/api/v1/qa/starter', {});
  const reviewerToken = await api.login('agent3@demo.kefu', 'demo-agent');
  const reviewerId = (await api.get(reviewerToken, '/api/v1/auth/me')).user?.id ?? (await api.get(reviewerToken, '/api/v1/auth/me')).id;
  await api.call('PUT', `/api/v1/qa/reviewers/${reviewerId}`, admin);

  // agent4 (贷款咨询) serves a customer and uses a forbidden word, with no greeting.
  const agentToken = await api.login('agent4@demo.kefu', 'demo-agent');
  await api.call('PUT', '/api/v1/agents/me/status', agentToken, { status: 'ready' });
  const visitor = await api.visitor(`质检客户-${suffix}`);
  const conv = await api.post(visitor, '/api/v1/conversations', { business_type_id: 2, message: '我的贷款申请被拒了' });
  await until(async () => {
    const r = await fetch(`${base()}/api/v1/conversations/${conv.id}/accept`, { method: 'POST', headers: { authorization: `Bearer ${agentToken}` } });
    return r.ok ? true : undefined;
  });
  const bad = `这个你自己看着办 ${suffix}`;
  await api.post(agentToken, `/api/v1/conversations/${conv.id}/messages`, { body: bad });
  await api.post(agentToken, `/api/v1/conversations/${conv.id}/close`, { wrap_up_code: 'resolved' });
  await leaveFloor('agent4@demo.kefu');
  await until(async () => ((await api.get(admin, `/api/v1/qa/conversations/${conv.id}`)).auto ? true : undefined));

  // The reviewer draws this week's sample and opens the conversation from the queue.
  const reviewer = await person(browser, 'zh-CN');
  await login(reviewer.page, 'agent3@demo.kefu');
  await reviewer.page.getByTestId('nav-qa').click();
  await reviewer.page.getByTestId('nav-qa-queue').click();
  await reviewer.page.getByTestId('qa-sample-percent').locator('input').fill('100');
  await reviewer.page.getByTestId('qa-sample').click();
  await reviewer.page.getByTestId(`qa-review-${conv.id}`).click();
  const line = reviewer.page.locator('[data-testid^=qa-line-]', { hasText: bad });
  await expect(line).toHaveAttribute('data-hit', 'true');
  await expect(line.getByTestId('qa-line-hit').first()).toContainText('禁用语');
  await expect(reviewer.page.getByTestId('qa-auto-hits')).toContainText('问候语');

  // A comment on the agent's line, then the form: 服务态度 20 of 30 -> 90.
  await line.getByRole('button', { name: '批注' }).click();
  await reviewer.page.getByTestId('qa-comment-text').fill('不得使用推诿用语');
  await reviewer.page.getByTestId('qa-comment-save').click();
  await expect(line.getByTestId('qa-line-comment')).toContainText('不得使用推诿用语');
  const first = reviewer.page.getByTestId('qa-item-0').getByTestId('qa-item-score').locator('input');
  await first.fill('20');
  await first.blur();
  await reviewer.page.getByTestId('qa-review-comment').fill('态度需改进');
  await reviewer.page.getByTestId('qa-review-submit').click();
  await expect(reviewer.page.getByTestId('qa-final-score')).toHaveText('90');

  // The agent sees it and appeals, once.
  const agent = await person(browser, 'zh-CN');
  await login(agent.page, 'agent4@demo.kefu');
  await agent.page.getByTestId('nav-qa').click();
  const row = agent.page.getByTestId('qa-mine-table').locator('tr', { hasText: `#${conv.id}` });
  await expect(row.getByTestId('qa-mine-final')).toHaveText('90');
  await row.getByTestId('qa-mine-open').click();
  await expect(agent.page.locator('[data-testid^=qa-line-]', { hasText: bad }).getByTestId('qa-line-comment')).toContainText('不得使用推诿用语');
  await agent.page.getByTestId('qa-appeal-open').click();
  await agent.page.getByTestId('qa-appeal-reason').fill('客户已确认问题解决，用语是转述客户原话');
  await agent.page.getByTestId('qa-appeal-submit').click();
  await expect(agent.page.getByTestId('qa-appeal-status')).toHaveText('待处理');
  await expect(agent.page.getByTestId('qa-appeal-open')).toHaveCount(0);

  // The supervisor upholds it with a new score. A supervisor decides the appeals of the groups
  // they lead: the demo supervisor (card services) joins loans for this, and leaves it after.
  const supId = (await api.get(await api.login('supervisor@demo.kefu', 'demo-supervisor'), '/api/v1/agents/me')).id;
  type Member = { agent_id: number; skill_level: number };
  const loans = (await api.get(admin, '/api/v1/groups')).groups.find((g: { name: string }) => g.name.includes('Loans'));
  const members: Member[] = loans.members.map((m: Member) => ({ agent_id: m.agent_id, skill_level: m.skill_level }));
  await api.call('PUT', `/api/v1/groups/${loans.id}/members`, admin, [...members, { agent_id: supId, skill_level: 1 }]);
  const supervisor = await person(browser, 'zh-CN');
  await login(supervisor.page, 'supervisor@demo.kefu', 'demo-supervisor');
  const supToken = await api.login('supervisor@demo.kefu', 'demo-supervisor');
  const appeal = (await api.get(supToken, '/api/v1/qa/appeals?status=open')).appeals.find((a: { conversation_id: number }) => a.conversation_id === conv.id);
  await supervisor.page.goto(`${base()}/app/qa/appeals`);
  await supervisor.page.getByTestId(`qa-decide-${appeal.id}`).click();
  await supervisor.page.getByTestId('qa-decision-upheld').click();
  await supervisor.page.getByTestId('qa-decision-score').locator('input').fill('95');
  await supervisor.page.getByTestId('qa-decision-note').fill('同意申诉');
  await supervisor.page.getByTestId('qa-decision-submit').click();
  await expect(supervisor.page.getByTestId(`qa-decide-${appeal.id}`)).toHaveCount(0);

  await agent.page.reload();
  await expect(agent.page.getByTestId('qa-final-score')).toHaveText('95');
  await expect(agent.page.getByTestId('qa-appeal-status')).toHaveText('申诉成立');

  await api.call('PUT', `/api/v1/groups/${loans.id}/members`, admin, members);
  await api.call('DELETE', `/api/v1/qa/reviewers/${reviewerId}`, admin);
  for (const p of [reviewer, agent, supervisor]) await p.context.close();
});

test('zh-CN: an admin turns the weekly automatic sample on in the QA settings', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const p = await person(browser, 'zh-CN');
  await login(p.page, 'admin@demo.kefu', 'demo-admin');
  await p.page.getByTestId('nav-qa').click();
  await p.page.getByTestId('nav-qa-settings').click();
  await p.page.getByRole('tab', { name: '每周自动抽检' }).click();
  await p.page.getByTestId('qa-sampling-enabled').click();
  await p.page.getByTestId('qa-sampling-percent').locator('input').fill('25');
  await p.page.getByTestId('qa-sampling-save').click();
  await expect(p.page.getByText('已保存')).toBeVisible();
  expect(await api.get(admin, '/api/v1/qa/sampling')).toEqual({ enabled: true, percent: 25, flag_below: 80 });

  // After a reload the page shows what is stored.
  await p.page.reload();
  await p.page.getByRole('tab', { name: '每周自动抽检' }).click();
  await expect(p.page.getByTestId('qa-sampling-percent').locator('input')).toHaveValue('25');
  await api.call('PUT', '/api/v1/qa/sampling', admin, { enabled: false, percent: 10, flag_below: 80 });
  await p.context.close();
});

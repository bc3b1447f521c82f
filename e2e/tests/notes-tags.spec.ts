// Internal notes, @mentions and tags through the real workspace: an agent writes an internal note
// mentioning a colleague, who is notified in the header and reads the conversation read-only;
// the agent tags the conversation and the customer; the visitor's widget never shows the note or
// the tag. A supervisor opens the live chat from 班长监控 and whispers to the agent. In Chinese; then
// an admin manages the tag list, and the reply wait and the closed list are checked, in English.
import { expect, test, type Page } from '@playwright/test';
import { agentReady, api, base, leaveFloor, login, person, prechat } from './helpers';

/** Log in without going ready (a colleague who is not taking chats). */

test('zh-CN: a note with @mention notifies the colleague, tags go on, and the visitor sees neither', async ({ browser }) => {
  const suffix = Date.now().toString(36);
  const tagName = `投诉-${suffix}`;
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  await api.post(admin, '/api/v1/tags', { name: tagName, color: '#f56c6c' });

  const colleague = await person(browser, 'zh-CN');
  await login(colleague.page, 'agent3@demo.kefu');
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await person(browser, 'zh-CN');
  const frame = await prechat(visitor.page, '孙女士');
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill('我的卡被锁了');
  await frame.getByTestId('composer-input').press('Enter');
  await expect(agent.page.getByTestId('offer-dialog')).toContainText('孙女士');
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: '孙女士' }).click();
  await expect(agent.page.getByTestId('message').filter({ hasText: '我的卡被锁了' })).toBeVisible();
  // The customer waits for a reply: the list shows it, coloured against the target.
  await expect(agent.page.getByTestId('reply-wait')).toHaveAttribute('data-level', /ok|warn|late/);

  // An internal note mentioning 刘洋 through the @ autocomplete.
  const secret = `内部-${suffix} 客户情绪激动`;
  await agent.page.getByTestId('composer-mode-note').click();
  const noteInput = agent.page.getByTestId('note-input');
  await noteInput.click();
  await agent.page.keyboard.type('@刘');
  await agent.page.locator('.el-mention-dropdown__item', { hasText: '刘洋 Liu Yang' }).click();
  await agent.page.keyboard.type(`请协助 ${secret}`);
  await agent.page.getByTestId('note-send').click();
  const line = agent.page.getByTestId('note-line').filter({ hasText: secret });
  await expect(line).toBeVisible();
  await expect(line).toContainText('内部备注');
  await expect(noteInput).toHaveValue('');

  // The colleague is told at once, and opens the conversation read-only with the note in it.
  await expect(colleague.page.getByTestId('notifications-badge')).toContainText('1');
  await colleague.page.getByTestId('notifications-button').click();
  await colleague.page.getByTestId('notification-item').first().click();
  const dialog = colleague.page.getByTestId('history-dialog');
  await expect(dialog.getByTestId('note-line').filter({ hasText: secret })).toBeVisible();
  await expect(dialog.getByTestId('message').filter({ hasText: '我的卡被锁了' })).toBeVisible();
  await expect(colleague.page.getByTestId('notifications-badge')).not.toContainText('1');

  // The supervisor opens the live chat read-only from 班长监控 and whispers to the agent.
  const sup = await person(browser, 'zh-CN');
  await login(sup.page, 'supervisor@demo.kefu', 'demo-supervisor');
  await sup.page.getByTestId('nav-supervisor').click();
  await sup.page.getByTestId('supervisor-live').locator('tr', { hasText: '孙女士' }).getByTestId('live-view').click();
  const supDialog = sup.page.getByTestId('history-dialog');
  await expect(supDialog.getByTestId('note-line').filter({ hasText: secret })).toBeVisible();
  await supDialog.getByTestId('note-whisper').click();
  await supDialog.getByTestId('note-input').fill(`耳语-${suffix} 先安抚客户`);
  await supDialog.getByTestId('note-send').click();
  await expect(agent.page.getByTestId('note-line').filter({ hasText: `耳语-${suffix}` })).toHaveAttribute('data-kind', 'whisper');
  await expect(agent.page.getByTestId('notifications-badge')).toContainText('1');
  await sup.context.close();

  // A tag on the conversation (with its timeline line) and on the customer.
  await agent.page.getByTestId('conversation-tags-add').click();
  await agent.page.locator('.el-select-dropdown__item:visible', { hasText: tagName }).click();
  await expect(agent.page.getByTestId('conversation-tags-tag').filter({ hasText: tagName })).toBeVisible();
  await expect(agent.page.getByTestId('note-tag-line').filter({ hasText: tagName })).toBeVisible();
  await agent.page.getByTestId('customer-tags-add').click();
  await agent.page.locator('.el-select-dropdown__item:visible', { hasText: tagName }).click();
  await expect(agent.page.getByTestId('customer-tags-tag').filter({ hasText: tagName })).toBeVisible();

  // A reply reaches the visitor (everything before it has been delivered); the note and tag never.
  await agent.page.getByTestId('composer-mode-reply').click();
  await agent.page.getByTestId('composer-input').fill('已为您查询，请稍候');
  await agent.page.getByTestId('composer-input').press('Enter');
  await expect(frame.getByTestId('message').filter({ hasText: '已为您查询，请稍候' })).toBeVisible();
  const widgetText = await frame.locator('body').innerText();
  expect(widgetText).not.toContain(secret);
  expect(widgetText).not.toContain(tagName);
  expect(widgetText).not.toContain(`耳语-${suffix}`);
  // Not after a reload either (the widget resumes its log from the server).
  await visitor.page.reload();
  await visitor.page.getByTestId('kefu-launcher').click();
  await expect(frame.getByTestId('message').filter({ hasText: '已为您查询，请稍候' })).toBeVisible();
  expect(await frame.locator('body').innerText()).not.toContain(secret);

  await agent.context.close();
  await visitor.context.close();
  await colleague.context.close();
  await leaveFloor('agent1@demo.kefu');
  await leaveFloor('agent3@demo.kefu');
});

test('en: an admin adds and disables a tag on the Tags page', async ({ browser }) => {
  const name = `Refund-${Date.now().toString(36)}`;
  const admin = await person(browser, 'en-US');
  await login(admin.page, 'admin@demo.kefu', 'demo-admin');
  await admin.page.getByTestId('nav-admin').click();
  await admin.page.getByTestId('nav-admin-tags').click();
  await expect(admin.page.getByRole('heading', { name: 'Tags' })).toBeVisible();
  await admin.page.getByTestId('tag-form-name').fill(name);
  await admin.page.getByTestId('tag-form-submit').click();
  const row = admin.page.getByTestId('admin-tags-table').locator('tr', { hasText: name });
  await expect(row).toBeVisible();
  await row.getByTestId('tag-enabled').click();

  const token = await api.login('admin@demo.kefu', 'demo-admin');
  await expect
    .poll(async () => (await api.get(token, '/api/v1/tags?include_disabled=true')).tags.find((t: { name: string }) => t.name === name)?.disabled)
    .toBe(true);
  // Disabled tags are no longer offered to agents.
  const agentToken = await api.login('agent2@demo.kefu', 'demo-agent');
  const offered = (await api.get(agentToken, '/api/v1/tags')).tags.map((t: { name: string }) => t.name);
  expect(offered).not.toContain(name);
  await admin.context.close();
});

test('en: the reply wait turns amber then red against the group target, and a closed chat is in the Closed tab', async ({ browser }) => {
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const agent = await person(browser, 'en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await api.visitor('Wendy Wait');
  const c = await api.post(visitor, '/api/v1/conversations', { business_type_id: 1, message: 'Is anyone there?' });
  // A short target for this group, so the colours change within the test.
  await api.call('PATCH', `/api/v1/groups/${c.group_id}`, admin, { reply_target_secs: 10 });
  try {
    await agent.page.getByTestId('offer-accept').click();
    const item = agent.page.locator(`[data-testid=conversation-item][data-conversation-id="${c.id}"]`);
    const wait = item.getByTestId('reply-wait');
    await expect(wait).toHaveAttribute('data-level', 'warn', { timeout: 12_000 });
    await expect(wait).toHaveAttribute('data-level', 'late', { timeout: 12_000 });
    await expect(wait).toHaveAttribute('aria-label', /past the 10 s target/);
    // Answering ends the wait.
    await item.click();
    await agent.page.getByTestId('composer-input').fill('Yes, how can I help?');
    await agent.page.getByTestId('composer-input').press('Enter');
    await expect(wait).toHaveCount(0);
  } finally {
    await api.call('PATCH', `/api/v1/groups/${c.group_id}`, admin, { reply_target_secs: 60 });
  }

  await agent.page.getByTestId('close-button').click();
  await agent.page.getByTestId('close-dialog').getByTestId('close-wrap-up-code').click();
  await agent.page.locator('.el-select-dropdown__item:visible', { hasText: '已解决 Resolved' }).click();
  await agent.page.getByTestId('close-dialog').getByTestId('close-submit').click();
  await agent.page.getByTestId('conversation-tab-closed').click();
  const closed = agent.page.locator(`[data-testid=closed-item][data-conversation-id="${c.id}"]`);
  await expect(closed).toContainText('Wendy Wait');
  await closed.click();
  const dialog = agent.page.getByTestId('history-dialog');
  await expect(dialog.getByTestId('message').filter({ hasText: 'Is anyone there?' })).toBeVisible();
  await expect(dialog.getByTestId('message').filter({ hasText: 'Yes, how can I help?' })).toBeVisible();
  await agent.context.close();
  await leaveFloor('agent1@demo.kefu');
});

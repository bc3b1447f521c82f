// Editing an internal note in the workspace: the author's own note has an Edit action, the text
// changes in place with "(已编辑)", and a supervisor watching the live chat sees the edit at once
// (a `note.updated` frame) without an Edit action of their own.
import { expect, test } from '@playwright/test';
import { agentReady, leaveFloor, login, person, prechat } from './helpers';

test('zh-CN: the author edits their note in place and a watching supervisor sees it live', async ({ browser }) => {
  const suffix = Date.now().toString(36);
  const customer = `周先生${suffix}`;
  const agent = await person(browser, 'zh-CN');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const visitor = await person(browser, 'zh-CN');
  const frame = await prechat(visitor.page, customer);
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill('发票开错了');
  await frame.getByTestId('composer-input').press('Enter');
  await expect(agent.page.getByTestId('offer-dialog')).toContainText(customer);
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: customer }).click();
  await expect(agent.page.getByTestId('message').filter({ hasText: '发票开错了' })).toBeVisible();

  await agent.page.getByTestId('composer-mode-note').click();
  await agent.page.getByTestId('note-input').fill(`初稿-${suffix}`);
  await agent.page.getByTestId('note-send').click();
  const draft = agent.page.getByTestId('note-line').filter({ hasText: `初稿-${suffix}` });
  await expect(draft).toBeVisible();
  await expect(draft.getByTestId('note-edited')).toHaveCount(0);
  // By id: while editing, the text is in a textarea, not the line's text.
  const line = agent.page.locator(`[data-note-id="${await draft.getAttribute('data-note-id')}"]`);

  // A supervisor watches the live chat read-only: the note is there, but not theirs to edit.
  const sup = await person(browser, 'zh-CN');
  await login(sup.page, 'supervisor@demo.kefu', 'demo-supervisor');
  await sup.page.getByTestId('nav-supervisor').click();
  await sup.page.getByTestId('supervisor-live').locator('tr', { hasText: customer }).getByTestId('live-view').click();
  const supDialog = sup.page.getByTestId('history-dialog');
  await expect(supDialog.getByTestId('note-line').filter({ hasText: `初稿-${suffix}` })).toBeVisible();
  await expect(supDialog.getByTestId('note-edit')).toHaveCount(0);

  // The author edits: in place, marked 已编辑, and the supervisor's view follows live.
  await line.getByTestId('note-edit').click();
  const input = line.getByTestId('note-edit-input');
  await input.fill(`改正-${suffix} 发票抬头需更换`);
  await line.getByTestId('note-edit-save').click();
  const edited = agent.page.getByTestId('note-line').filter({ hasText: `改正-${suffix}` });
  await expect(edited.getByTestId('note-edited')).toHaveText('(已编辑)');
  await expect(agent.page.getByTestId('note-line').filter({ hasText: `初稿-${suffix}` })).toHaveCount(0);
  const supLine = supDialog.getByTestId('note-line').filter({ hasText: `改正-${suffix}` });
  await expect(supLine).toBeVisible();
  await expect(supLine.getByTestId('note-edited')).toHaveText('(已编辑)');
  await sup.context.close();
  await visitor.context.close();
  await agent.context.close();
  // Close what agent1 holds, so the next spec's agent1 starts with an empty list.
  await leaveFloor('agent1@demo.kefu');
});

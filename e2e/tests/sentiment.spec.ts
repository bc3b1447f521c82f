// Customer sentiment through the real UI: a customer in the widget turns angry; the supervisor
// page raises a sentiment alert live and opens the conversation from it; the serving agent sees
// the angry message marked and the customer's trend fall in the chat header.
import { expect, test } from '@playwright/test';
import { agentReady, base, leaveFloor, login, person, prechat } from './helpers';

test('an angry customer alerts the supervisor and shows as a negative trend to the agent', async ({ browser }) => {
  const agent = await person(browser, 'en-US');
  await agentReady(agent.page, 'agent1@demo.kefu');
  const sup = await person(browser, 'zh-CN');
  await login(sup.page, 'supervisor@demo.kefu', 'demo-supervisor');
  await sup.page.goto(`${base()}/app/supervisor`);
  const alerts = sup.page.getByTestId('sentiment-alerts');
  await expect(alerts).toContainText('情绪预警');

  // The customer starts politely; the agent takes the chat.
  const visitor = await person(browser, 'zh-CN');
  const frame = await prechat(visitor.page, '愤怒的客户');
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill('你好，我想咨询一下会员的问题');
  await frame.getByTestId('composer-input').press('Enter');
  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: '愤怒的客户' }).click();
  const pane = agent.page.getByTestId('chat-pane');
  await expect(pane.getByTestId('message').filter({ hasText: '咨询一下会员' })).toBeVisible();
  await expect(pane.getByTestId('sentiment-trend')).toHaveAttribute('data-level', 'neutral');
  await expect(alerts.getByTestId('sentiment-alert').filter({ hasText: '愤怒的客户' })).toHaveCount(0);

  // Then turns angry.
  await frame.getByTestId('composer-input').fill('太差劲了！等了这么久还没解决，垃圾服务，我要投诉！');
  await frame.getByTestId('composer-input').press('Enter');
  await expect(frame.getByTestId('message').filter({ hasText: '垃圾服务' })).toBeVisible();
  await expect(frame.getByTestId('message-sentiment')).toHaveCount(0);

  // The supervisor is alerted live, naming the customer and the agent, and opens the chat.
  const alert = alerts.getByTestId('sentiment-alert').filter({ hasText: '愤怒的客户' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('情绪强烈不满');
  await expect(alert).toContainText('垃圾服务');
  await alert.getByTestId('sentiment-alert-open').click();
  const dialog = sup.page.getByTestId('history-dialog');
  await expect(dialog.getByTestId('message').filter({ hasText: '垃圾服务' })).toBeVisible();
  await expect(dialog.getByTestId('sentiment-trend')).toHaveAttribute('data-level', 'angry');

  // The agent sees the angry message marked and the trend fall.
  const angry = pane.getByTestId('message').filter({ hasText: '垃圾服务' });
  await expect(angry.getByTestId('message-sentiment')).toHaveAttribute('data-level', 'angry');
  await expect(angry.getByTestId('message-sentiment')).toHaveText('Angry');
  await expect(pane.getByTestId('sentiment-trend')).toHaveAttribute('data-level', 'angry');
  await expect(pane.getByTestId('sentiment-trend')).toContainText('Customer mood: Angry');

  // Closing the conversation clears the alert.
  await leaveFloor('agent1@demo.kefu');
  await expect(alerts.getByTestId('sentiment-alert').filter({ hasText: '愤怒的客户' })).toHaveCount(0, { timeout: 10_000 });
});

// 成熟度评估 through the real UI: the supervisor opens the page from the nav, sees the radar with
// the four dimensions and each dimension's level; answering the questionnaire ("processes are
// written down": fully) lifts process re-engineering from service-driven to process-driven.
import { expect, test } from '@playwright/test';
import { login, ownKefu, person } from './helpers';

// A kefu of this spec's own: the answers are saved for the organisation.
ownKefu();

test('the maturity page shows the radar, and an answer moves a dimension up', async ({ browser }) => {
  const sup = await person(browser, 'zh-CN');
  const page = sup.page;
  await login(page, 'supervisor@demo.kefu', 'demo-supervisor');
  await page.getByTestId('nav-maturity').click();
  await expect(page).toHaveURL(/\/app\/maturity/);

  const radar = page.getByTestId('maturity-radar');
  await expect(radar.locator('svg')).toBeVisible();
  for (const name of ['渠道管理', '客户体验', '流程再造', '数据洞察']) {
    await expect(radar.locator('svg')).toContainText(name);
  }
  const level = page.getByTestId('maturity-level-process_reengineering');
  await expect(level).toHaveAttribute('data-level', '1');
  await expect(level).toContainText('服务驱动');
  await expect(page.getByTestId('maturity-dim-process_reengineering')).toContainText('自评：流程有书面规范');

  await page.getByTestId('maturity-q-process_documented').getByText('完全符合').click();
  await page.getByTestId('maturity-save').click();
  await expect(level).toHaveAttribute('data-level', '2');
  await expect(level).toContainText('流程驱动');

  // Saved for the organisation: a reload keeps it.
  await page.reload();
  await expect(page.getByTestId('maturity-level-process_reengineering')).toHaveAttribute('data-level', '2');
});

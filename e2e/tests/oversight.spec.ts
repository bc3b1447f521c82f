import { expect, test } from '@playwright/test';
import { api, base, login, person } from './helpers';

// A supervisor in no skill group oversees nothing: the live monitor, the wallboard and the
// reports say they have no group assigned instead of showing every group. The account is
// disabled at the end so later specs see the floor they expect.

test('zh-CN: a supervisor in no group is told so on the monitor, the wallboard and the reports', async ({ browser }) => {
  const stamp = Date.now().toString(36);
  const admin = await api.login('admin@demo.kefu', 'demo-admin');
  const email = `lone-${stamp}@demo.kefu`;
  const { id } = await api.post(admin, '/api/v1/agents', { email, name: `无组班长 ${stamp}`, password: 'lone-supervisor-1', role: 'supervisor' });
  try {
    const sup = await person(browser, 'zh-CN');
    await login(sup.page, email, 'lone-supervisor-1');
    await sup.page.goto(`${base()}/app/supervisor`);
    await expect(sup.page.getByTestId('no-groups-notice')).toContainText('您还没有被分配到任何技能组');
    await sup.page.goto(`${base()}/app/wallboard`);
    await expect(sup.page.getByTestId('no-groups-notice')).toBeVisible();
    await expect(sup.page.getByTestId('wallboard')).not.toContainText('信用卡服务');
    await sup.page.goto(`${base()}/app/reports`);
    await expect(sup.page.getByTestId('no-groups-notice')).toBeVisible();
    await sup.context.close();

    // The demo supervisor has a group: no notice.
    const demo = await person(browser, 'zh-CN');
    await login(demo.page, 'supervisor@demo.kefu', 'demo-supervisor');
    await demo.page.goto(`${base()}/app/supervisor`);
    await expect(demo.page.getByTestId('open-wallboard')).toBeVisible();
    await expect(demo.page.getByTestId('no-groups-notice')).toHaveCount(0);
    await demo.context.close();
  } finally {
    await api.call('PATCH', `/api/v1/agents/${id}`, admin, { enabled: false });
  }
});

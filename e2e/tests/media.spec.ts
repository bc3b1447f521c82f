// Images and typing through the real UI: the visitor sends a photo, the agent sees it rendered
// (the bytes arrived and decoded), and each side sees the other typing.
import { deflateSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { agentReady, base, leaveFloor, person } from './helpers';

/** A real 8x8 red PNG, built here so the test ships no binary file. */
function redPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(8, 0);
  ihdr.writeUInt32BE(8, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = Buffer.concat(Array.from({ length: 8 }, () => Buffer.from([0, ...Array(8).fill([255, 0, 0]).flat()])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('a photo from the visitor reaches the agent, and both see each other typing', async ({ browser }) => {
  const agent = await person(browser, 'en-US');
  await agentReady(agent.page, 'agent2@demo.kefu');

  const visitor = await person(browser, 'zh-CN');
  await visitor.page.goto(`${base()}/demo`);
  await visitor.page.getByTestId('kefu-launcher').click();
  const frame = visitor.page.frameLocator('[data-testid=kefu-frame]');
  await frame.getByTestId('prechat-name').fill('发图片的客户');
  await frame.getByTestId('prechat-business-type').selectOption({ label: '信用卡业务 Credit cards' });
  await frame.getByTestId('prechat-start').click();
  await frame.getByTestId('composer-input').fill('我拍了卡片的照片');
  await frame.getByTestId('composer-send').click();

  await agent.page.getByTestId('offer-accept').click();
  await agent.page.getByTestId('conversation-item').filter({ hasText: '发图片的客户' }).click();

  await frame.getByTestId('composer-file').setInputFiles({ name: 'card.png', mimeType: 'image/png', buffer: redPng() });
  const image = agent.page.getByTestId('message-image').locator('img').or(agent.page.locator('img[data-testid=message-image]')).first();
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(8);

  // Typing, both ways.
  await frame.getByTestId('composer-input').pressSequentially('还有一个问题', { delay: 30 });
  await expect(agent.page.getByTestId('typing-indicator')).toBeVisible();
  await agent.page.getByTestId('composer-input').pressSequentially('请讲', { delay: 30 });
  await expect(frame.getByTestId('typing-indicator')).toBeVisible();

  await leaveFloor('agent2@demo.kefu');
});

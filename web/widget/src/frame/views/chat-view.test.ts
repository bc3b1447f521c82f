// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { translator } from '../../i18n';
import type { AttachmentCache } from '../attachments';
import { ChatView } from './chat-view';

const view = (maxChars?: number) =>
  new ChatView({
    t: translator('en'),
    locale: 'en',
    attachments: {} as AttachmentCache,
    onSend: () => {},
    onRetry: () => {},
    onFile: () => {},
    onInput: () => {},
    onLeaveQueue: () => {},
    onCsat: async () => {},
    onNewConversation: () => {},
    callStrip: document.createElement('div'),
    maxChars,
  });

describe('ChatView', () => {
  it("counts against the server's message limit from the widget config", () => {
    const v = view(300);
    const input = v.composer.el.querySelector<HTMLTextAreaElement>('[data-testid=composer-input]')!;
    const counter = v.composer.el.querySelector<HTMLElement>('[data-testid=composer-counter]')!;
    input.value = 'x'.repeat(280);
    input.dispatchEvent(new Event('input'));
    expect(counter.hidden).toBe(false);
    expect(counter.textContent).toBe('280 / 300');
    input.value = 'x'.repeat(301);
    input.dispatchEvent(new Event('input'));
    expect(counter.classList.contains('composer__counter--over')).toBe(true);
  });

  it('keeps the default limit when the config does not say', () => {
    const v = view();
    const input = v.composer.el.querySelector<HTMLTextAreaElement>('[data-testid=composer-input]')!;
    input.value = 'x'.repeat(4600);
    input.dispatchEvent(new Event('input'));
    expect(v.composer.el.querySelector('[data-testid=composer-counter]')!.textContent).toBe('4600 / 5000');
  });
});

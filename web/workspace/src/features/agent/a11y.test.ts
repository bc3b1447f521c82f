// Accessibility of the agent's most time-critical parts, in the spirit of Element Plus's
// describe('accessibility') blocks: roles, live regions, focus, and text instead of colour.
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { i18n, loadFeatures, setLocale } from '../../app/i18n';
import { useOffersStore } from '../../stores/offers';
import { useSessionStore } from '../../stores/session';
import { conversation, message, visitor } from '../../stores/testing';
import type { ThreadMessage } from '../../stores/thread';
import MessageList from './MessageList.vue';
import OfferDialog from './OfferDialog.vue';
import IncomingCallDialog from './IncomingCallDialog.vue';
import { useCallsStore } from '../../stores/calls';
import { useConversationsStore } from '../../stores/conversations';

vi.mock('./offerAlert', () => ({ beep: vi.fn(), notify: vi.fn(), prepareOnFirstClick: vi.fn() }));

beforeAll(async () => {
  await setLocale('en');
  await loadFeatures(['common', 'agent']);
});

beforeEach(() => {
  setActivePinia(createPinia());
  useSessionStore().user = { id: 5, email: 'a@x', name: 'Agent', role: 'agent', must_change_password: false };
  document.body.innerHTML = '';
});

describe('accessibility: offer dialog', () => {
  it('is an alertdialog with focus on Accept, the visitor, VIP badge and countdown as text', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const offers = useOffersStore();
    const wrapper = mount(OfferDialog, { global: { plugins: [pinia, i18n] }, attachTo: document.body });
    const expires = new Date(Date.now() + 20_000).toISOString();
    offers.add(conversation({ id: 3, status: 'offered', topic: 'Refund', visitor: visitor({ name: 'Li Lei', vip_level: 2 }) }), expires);
    await nextTick();
    await nextTick();

    const dialog = document.querySelector('[data-testid="offer-dialog"]') as HTMLElement;
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent).toContain('Incoming conversation');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('offer-accept');
    expect(dialog.textContent).toContain('Li Lei');
    expect(dialog.querySelector('[data-testid="offer-vip"]')?.textContent).toContain('VIP 2');
    expect(dialog.querySelector('[data-testid="offer-topic"]')?.textContent).toContain('Refund');
    expect(dialog.querySelector('[data-testid="offer-countdown"]')?.textContent).toMatch(/\d+ s/);
    wrapper.unmount();
  });
});

describe('accessibility: incoming call', () => {
  it('is an alertdialog with focus on Accept that names the customer', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    useSessionStore().user = { id: 5, email: 'a@x', name: 'Agent', role: 'agent', must_change_password: false };
    useConversationsStore().upsertConversation(conversation({ id: 4, agent_id: 5, visitor: visitor({ name: 'Han Mei' }) }));
    const wrapper = mount(IncomingCallDialog, { global: { plugins: [pinia, i18n] }, attachTo: document.body });
    useCallsStore().apply({ id: 8, conversation_id: 4, media: 'video', status: 'ringing', started_by: 'visitor', started_at: '2026-11-30T20:00:00Z', answered_at: null, ended_at: null, end_reason: null, recording_policy: 'off', recording: 'off', local_recording: false });
    await nextTick();
    await nextTick();

    const dialog = document.querySelector('[data-testid="incoming-call-dialog"]') as HTMLElement;
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent).toContain('Incoming video call');
    expect(document.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent).toContain('Han Mei');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('incoming-call-accept');
    wrapper.unmount();
  });
});

describe('accessibility: message list', () => {
  function tm(over: Partial<ThreadMessage>): ThreadMessage {
    return { ...message(over), state: 'sent', key: 'm' + (over.id ?? 1), ...over };
  }

  it('is a polite live log; each message names its sender; read state is text', () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const wrapper = mount(MessageList, {
      props: {
        conversationId: 1,
        visitorReadSeq: 2,
        messages: [
          tm({ id: 1, seq: 1, sender: 'visitor', body: 'Hello' }),
          tm({ id: 2, seq: 2, sender: 'agent', body: 'Hi, how can I help?' }),
          tm({ id: 3, seq: 3, sender: 'agent', body: 'Are you there?' }),
        ],
      },
      global: { plugins: [pinia, i18n] },
    });
    const log = wrapper.get('[data-testid="message-list"]');
    expect(log.attributes('role')).toBe('log');
    expect(log.attributes('aria-live')).toBe('polite');
    const items = wrapper.findAll('[data-testid="message"]');
    expect(items.map((i) => i.attributes('data-sender'))).toEqual(['visitor', 'agent', 'agent']);
    expect(items[1]!.find('[data-testid="message-read"]').text()).toBe('Read');
    expect(items[2]!.find('[data-testid="message-read"]').exists()).toBe(false);
    expect(items[2]!.find('[data-testid="message-unread"]').text()).toBe('Unread');
  });
});

describe('system event lines', () => {
  it('render as centred, translated lines, still counted as messages of the system', () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const ev = (over: Partial<ThreadMessage>): ThreadMessage => ({
      ...message({ sender: 'system', kind: 'event', sender_id: null, ...over }),
      state: 'sent',
      key: 'm' + over.id,
    });
    const wrapper = mount(MessageList, {
      props: {
        conversationId: 1,
        visitorReadSeq: 0,
        messages: [
          ev({ id: 1, seq: 1, body: 'assigned', sender_name: 'Li Na' }),
          ev({ id: 2, seq: 2, body: 'transferred', sender_name: 'Zhang Wei', data: { to_group: 2, to_group_name: 'Loans', note: 'wants a loan' } }),
        ],
      },
      global: { plugins: [pinia, i18n] },
    });
    const items = wrapper.findAll('[data-testid="message"]');
    expect(items.map((i) => i.attributes('data-sender'))).toEqual(['system', 'system']);
    const lines = wrapper.findAll('[data-testid="system-line"]');
    expect(lines.map((l) => l.text())).toEqual(['Li Na joined', 'Zhang Wei transferred to Loans: wants a loan']);
    expect(lines.map((l) => l.attributes('data-event'))).toEqual(['assigned', 'transferred']);
  });
});

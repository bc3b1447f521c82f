// The composer with its 快捷回复 picker: `/` opens it, typing filters, the keys walk and insert,
// pinyin composition is left alone, and the body arrives with the customer's name filled in.
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { i18n, loadFeatures, setLocale } from '../../app/i18n';
import { useCannedStore } from '../../stores/canned';
import { useConversationsStore } from '../../stores/conversations';
import { useSessionStore } from '../../stores/session';
import { conversation, visitor } from '../../stores/testing';
import Composer from '../agent/Composer.vue';

vi.mock('../../api/canned', () => ({ cannedApi: { list: vi.fn().mockResolvedValue([]) } }));

beforeAll(async () => {
  await setLocale('en');
  await loadFeatures(['common', 'agent']);
});

const item = (id: number, category: string, shortcut: string, body: string) => ({
  id, team: true, category, shortcut, title: shortcut, body, created_at: '', updated_at: '',
});

let wrapper: VueWrapper;
let pinia: ReturnType<typeof createPinia>;

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  useSessionStore().user = { id: 5, email: 'a@x', name: '李娜', role: 'agent', must_change_password: false };
  useConversationsStore().upsertConversation(conversation({ id: 7, visitor: visitor({ name: '王小明' }) }));
  const canned = useCannedStore();
  canned.items = [
    item(1, '问候 Greetings', '问候', '{{customer.name}}您好，我是{{agent.name}}'),
    item(2, '问候 Greetings', 'greet', 'Hello {{customer.name}}'),
    item(3, '结束 Closing', 'bye', 'Bye {{customer.name}} {{unknown}}'),
  ];
  canned.loaded = true;
  wrapper = mount(Composer, { props: { conversationId: 7 }, global: { plugins: [pinia, i18n] }, attachTo: document.body });
});

afterEach(() => wrapper.unmount());

async function type(text: string): Promise<HTMLTextAreaElement> {
  const ta = wrapper.get('textarea');
  await ta.setValue(text);
  (ta.element as HTMLTextAreaElement).setSelectionRange(text.length, text.length);
  await ta.trigger('input');
  await nextTick();
  return ta.element as HTMLTextAreaElement;
}

const options = () => wrapper.findAll('[data-testid="canned-option"]').map((o) => o.attributes('data-shortcut'));
const highlighted = () => wrapper.find('[data-testid="canned-option"][aria-selected="true"]').attributes('data-shortcut');

describe('composer canned-response picker', () => {
  it('opens on / at the start of a word, filters as the agent types, grouped by category', async () => {
    await type('/');
    expect(options()).toEqual(['问候', 'greet', 'bye']);
    expect(wrapper.text()).toContain('结束 Closing');
    await type('/问候');
    expect(options()).toEqual(['问候']);
    await type('see http://x');
    expect(wrapper.find('[data-testid="canned-picker"]').exists()).toBe(false);
  });

  it('walks with the arrows and inserts on Enter with the variables filled in, sending nothing', async () => {
    const send = vi.spyOn(useConversationsStore(), 'sendText').mockResolvedValue(undefined as never);
    const ta = await type('好的 /');
    expect(highlighted()).toBe('问候');
    await wrapper.get('textarea').trigger('keydown', { key: 'ArrowDown' });
    expect(highlighted()).toBe('greet');
    await wrapper.get('textarea').trigger('keydown', { key: 'ArrowUp' });
    await wrapper.get('textarea').trigger('keydown', { key: 'ArrowUp' });
    expect(highlighted()).toBe('bye');
    await wrapper.get('textarea').trigger('keydown', { key: 'Enter' });
    expect(ta.value).toBe('好的 Bye 王小明 {{unknown}}');
    expect(send).not.toHaveBeenCalled();
    expect(wrapper.find('[data-testid="canned-picker"]').exists()).toBe(false);
  });

  it('inserts on Tab, and Enter while pinyin is composing does nothing', async () => {
    const ta = await type('/问候');
    await wrapper.get('textarea').trigger('keydown', { key: 'Enter', isComposing: true });
    expect(ta.value).toBe('/问候');
    await wrapper.get('textarea').trigger('keydown', { key: 'Tab' });
    expect(ta.value).toBe('王小明您好，我是李娜');
  });

  it('closes on Esc and stays closed for that / while the agent types on', async () => {
    await type('/gr');
    await wrapper.get('textarea').trigger('keydown', { key: 'Escape' });
    expect(wrapper.find('[data-testid="canned-picker"]').exists()).toBe(false);
    await type('/gre');
    expect(wrapper.find('[data-testid="canned-picker"]').exists()).toBe(false);
    await type('/gre /g');
    expect(options()).toEqual(['greet']);
  });

  it('a click on an option inserts it', async () => {
    const ta = await type('/');
    await wrapper.findAll('[data-testid="canned-option"]')[1]!.trigger('mousedown');
    expect(ta.value).toBe('Hello 王小明');
  });
});

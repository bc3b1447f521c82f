// Clock skew: countdowns of server deadlines run on the server's clock, measured from the
// WebSocket `hello` (`server_time`), so a machine whose clock is wrong shows the right seconds.
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { i18n, loadFeatures, setLocale } from '../app/i18n';
import OfferDialog from '../features/agent/OfferDialog.vue';
import StatusSwitch from '../features/agent/StatusSwitch.vue';
import { secondsLeft, useAgentStatusStore } from './agentStatus';
import { clockOffsetMs, useClockStore } from './clock';
import { useOffersStore } from './offers';
import { agent, conversation } from './testing';

vi.mock('../features/agent/offerAlert', () => ({ beep: vi.fn(), notify: vi.fn(), prepareOnFirstClick: vi.fn() }));

const SERVER = '2026-11-21T10:00:00Z';
const serverMs = Date.parse(SERVER);
const FIVE_MIN = 5 * 60_000;

describe('clockOffsetMs', () => {
  it('is the server time minus the local time', () => {
    expect(clockOffsetMs(SERVER, serverMs)).toBe(0);
    expect(clockOffsetMs(SERVER, serverMs - FIVE_MIN)).toBe(FIVE_MIN); // local clock behind
    expect(clockOffsetMs(SERVER, serverMs + FIVE_MIN)).toBe(-FIVE_MIN); // local clock ahead
    expect(clockOffsetMs('2026-11-21T18:00:00+08:00', serverMs)).toBe(0);
  });

  it('is null when the server did not say or said nonsense', () => {
    expect(clockOffsetMs(undefined, serverMs)).toBeNull();
    expect(clockOffsetMs('yesterday', serverMs)).toBeNull();
    expect(clockOffsetMs(12, serverMs)).toBeNull();
  });
});

describe('clock store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('takes the offset of each hello and keeps it when a hello has no time', () => {
    const clock = useClockStore();
    expect(clock.serverOffsetMs).toBe(0);
    clock.sync(SERVER, serverMs - 3000);
    expect(clock.serverOffsetMs).toBe(3000);
    expect(clock.serverNow(serverMs)).toBe(serverMs + 3000);
    clock.sync(undefined, serverMs);
    expect(clock.serverOffsetMs).toBe(3000);
    clock.sync(SERVER, serverMs + 1000);
    expect(clock.serverOffsetMs).toBe(-1000);
  });

  it('makes the seconds left independent of the local clock', () => {
    const clock = useClockStore();
    const expires = '2026-11-21T10:00:20Z';
    for (const skew of [-FIVE_MIN, 0, FIVE_MIN]) {
      const localAtHello = serverMs + skew;
      clock.sync(SERVER, localAtHello);
      expect(secondsLeft(expires, clock.serverNow(localAtHello))).toBe(20);
      expect(secondsLeft(expires, clock.serverNow(localAtHello + 15_000))).toBe(5);
    }
  });
});

describe('countdowns on a skewed machine', () => {
  beforeAll(async () => {
    await setLocale('en');
    await loadFeatures(['common', 'agent']);
  });

  beforeEach(() => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
    document.body.innerHTML = '';
  });

  afterEach(() => vi.useRealTimers());

  async function showOffer(localSkewMs: number) {
    vi.setSystemTime(serverMs + localSkewMs);
    const pinia = createPinia();
    setActivePinia(pinia);
    useClockStore().sync(SERVER); // the hello, received now
    const offers = useOffersStore();
    const wrapper = mount(OfferDialog, { global: { plugins: [pinia, i18n] }, attachTo: document.body });
    offers.add(conversation({ id: 3, status: 'offered' }), '2026-11-21T10:00:20Z');
    await nextTick();
    await nextTick();
    const countdown = () => document.querySelector('[data-testid="offer-countdown"]')?.textContent ?? '';
    return { offers, wrapper, countdown };
  }

  it('a clock 5 minutes fast neither drops the offer nor shows 0 s', async () => {
    const { offers, wrapper, countdown } = await showOffer(FIVE_MIN);
    expect(countdown()).toContain('20 s');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(countdown()).toContain('15 s');
    expect(offers.offers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(15_000);
    await nextTick();
    expect(offers.offers).toHaveLength(0); // lapsed when the server says so
    wrapper.unmount();
  });

  it('a clock 5 minutes slow does not show 320 s', async () => {
    const { wrapper, countdown } = await showOffer(-FIVE_MIN);
    expect(countdown()).toContain('20 s');
    wrapper.unmount();
  });

  it('the wrap-up countdown uses the server clock too', async () => {
    vi.setSystemTime(serverMs + FIVE_MIN);
    const pinia = createPinia();
    setActivePinia(pinia);
    useClockStore().sync(SERVER);
    useAgentStatusStore().me = agent({ id: 5, status: 'wrap_up', wrap_up_until: '2026-11-21T10:00:30Z' });
    const wrapper = mount(StatusSwitch, { global: { plugins: [pinia, i18n] }, attachTo: document.body });
    await nextTick();
    expect(wrapper.get('[data-testid="wrap-up-countdown"]').text()).toContain('0:30');
    wrapper.unmount();
  });
});

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { ApiError } from '../api/client';
import { reportError, reportSuccess } from './feedback';
import { loadFeatures, setLocale } from './i18n';
import { useSubmit } from './useSubmit';

vi.mock('./feedback', () => ({ reportError: vi.fn(), reportSuccess: vi.fn() }));

beforeEach(() => vi.mocked(reportError).mockReset());

describe('useSubmit', () => {
  it('on success: closes the dialog and says so', async () => {
    const open = ref(true);
    const { busy, submit } = useSubmit();
    const p = submit(() => Promise.resolve(), { close: open, success: 'Saved' });
    expect(busy.value).toBe(true);
    expect(await p).toBe(true);
    expect(busy.value).toBe(false);
    expect(open.value).toBe(false);
    expect(reportSuccess).toHaveBeenCalledWith('Saved');
  });

  it("shows a 422 translated inline (in English with the server's detail) and keeps the dialog open", async () => {
    await setLocale('en');
    await loadFeatures(['errors']);
    const open = ref(true);
    const error = ref<string | null>('old');
    const { submit } = useSubmit({ error });
    const ok = await submit(() => Promise.reject(new ApiError(422, 'validation', 'fields[0].name: 1 to 32 characters')), { close: open });
    expect(ok).toBe(false);
    expect(error.value).toBe('Some input is not valid. Check it and try again. (fields[0].name: 1 to 32 characters)');
    expect(open.value).toBe(true);
    await setLocale('zh-CN');
    await submit(() => Promise.reject(new ApiError(422, 'validation', 'name: 1 to 64 characters', { field: 'name' })));
    expect(error.value).toBe('「名称」填写有误，请检查后重试。');
    await setLocale('en');
    expect(reportError).not.toHaveBeenCalled();
  });

  it('reports other failures as a toast', async () => {
    const error = ref<string | null>(null);
    const { submit } = useSubmit({ error });
    const e = new ApiError(409, 'conflict', 'email taken');
    expect(await submit(() => Promise.reject(e))).toBe(false);
    expect(error.value).toBeNull();
    expect(reportError).toHaveBeenCalledWith(e);
  });

  it('runs one request at a time', async () => {
    const { submit } = useSubmit();
    let release!: () => void;
    const action = vi.fn(() => new Promise<void>((r) => (release = r)));
    const first = submit(action);
    expect(await submit(action)).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(action).toHaveBeenCalledTimes(1);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, configureClient, http, isPasswordChangeRequired, request } from './client';

function respond(status: number, body?: unknown) {
  return vi.fn().mockImplementation(
    async () =>
      new Response(body === undefined ? null : JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      }),
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  configureClient({ token: () => null, unauthorized: () => {} });
});

describe('api client', () => {
  it('sends the Bearer token and JSON, and builds the query string', async () => {
    const fetch = respond(200, { conversations: [] });
    vi.stubGlobal('fetch', fetch);
    configureClient({ token: () => 'tok', unauthorized: () => {} });
    await http.get('/conversations', { status: 'assigned', mine: 'true', skip: undefined });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/v1/conversations?status=assigned&mine=true');
    expect(init.headers.Authorization).toBe('Bearer tok');

    await http.post('/conversations/1/read', { seq: 3 });
    const [, post] = fetch.mock.calls[1]!;
    expect(post.method).toBe('POST');
    expect(post.headers['Content-Type']).toBe('application/json');
    expect(post.body).toBe('{"seq":3}');
  });

  it("surfaces the server's error.message and code", async () => {
    vi.stubGlobal('fetch', respond(422, { error: { code: 'validation', message: 'wrap_up_code: unknown code' } }));
    const err = await request('POST', '/conversations/1/close', { body: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'validation', message: 'wrap_up_code: unknown code' });
  });

  it('keeps the error params the UI translates with (and the older top-level retry_after)', async () => {
    const body = { error: { code: 'message_too_long', message: 'body: at most 5000 characters', params: { field: 'body', max: 5000 } } };
    vi.stubGlobal('fetch', respond(422, body));
    const err = await request('POST', '/conversations/1/messages', { body: {} }).catch((e) => e);
    expect(err).toMatchObject({ code: 'message_too_long', params: { field: 'body', max: 5000 } });
    vi.stubGlobal('fetch', respond(429, { error: { code: 'rate_limited', message: 'too many', retry_after: 9 } }));
    const slow = (await request('POST', '/x').catch((e: unknown) => e)) as ApiError;
    expect(slow.params).toEqual({ retry_after: 9 });
  });

  it('reports a 401 so the app can return to the login screen (but not for a failed login)', async () => {
    const unauthorized = vi.fn();
    configureClient({ token: () => 'tok', unauthorized });
    vi.stubGlobal('fetch', respond(401, { error: { code: 'unauthorized', message: 'token revoked' } }));
    await expect(http.get('/auth/me')).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toHaveBeenCalledOnce();
    await expect(http.post('/auth/login', {})).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toHaveBeenCalledOnce();
  });

  it('reports a 403 password_change_required (only that 403) so the app can open the password screen', async () => {
    const unauthorized = vi.fn();
    const passwordChangeRequired = vi.fn();
    configureClient({ token: () => 'tok', unauthorized, passwordChangeRequired });
    vi.stubGlobal('fetch', respond(403, { error: { code: 'forbidden', message: 'password_change_required: set your own password first' } }));
    const err = await http.get('/agents').catch((e) => e);
    expect(isPasswordChangeRequired(err)).toBe(true);
    expect(passwordChangeRequired).toHaveBeenCalledOnce();
    vi.stubGlobal('fetch', respond(403, { error: { code: 'forbidden', message: 'admins only' } }));
    const other = await http.get('/agents').catch((e) => e);
    expect(isPasswordChangeRequired(other)).toBe(false);
    expect(passwordChangeRequired).toHaveBeenCalledOnce();
    expect(unauthorized).not.toHaveBeenCalled();
    // Today's servers say it in the code.
    vi.stubGlobal('fetch', respond(403, { error: { code: 'password_change_required', message: 'set your own password first' } }));
    expect(isPasswordChangeRequired(await http.get('/agents').catch((e) => e))).toBe(true);
    expect(passwordChangeRequired).toHaveBeenCalledTimes(2);
  });

  it('sends the password change as PUT /auth/password', async () => {
    const fetch = respond(204);
    vi.stubGlobal('fetch', fetch);
    const { authApi } = await import('./auth');
    await expect(authApi.changePassword('old-password', 'new-password')).resolves.toBeUndefined();
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/v1/auth/password');
    expect(init.method).toBe('PUT');
    expect(JSON.parse(init.body)).toEqual({ current_password: 'old-password', new_password: 'new-password' });
  });

  it('resolves undefined for 204', async () => {
    vi.stubGlobal('fetch', respond(204));
    await expect(http.post('/conversations/1/typing', { typing: true })).resolves.toBeUndefined();
  });

  it('keeps the status text when the body is not JSON, and names network failures', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })));
    await expect(http.get('/stats/live')).rejects.toMatchObject({ status: 502, message: 'Bad Gateway' });
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(http.get('/stats/live')).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});

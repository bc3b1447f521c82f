// The one fetch wrapper: adds the Bearer token, speaks JSON, and turns every non-2xx answer into
// an ApiError carrying the server's `error.code`, `error.message` and `error.params` (the details
// the UIs translate the code with). Only stores import the API.
// Two answers concern the whole app rather than the caller: a 401 (the session ended) and a 403
// `password_change_required` (a one-time password must be replaced first); both are reported to
// the session store through the hooks set by `configureClient`.

import type { ErrorBody, ErrorParams } from './types';

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The code's details (`max`, `retry_after`, `field`, ...); empty when it has none. */
    readonly params: ErrorParams = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** multipart upload; sent as-is (the browser sets the boundary). */
  form?: FormData;
  /** a text body with its media type (a CSV import). */
  text?: { body: string; type: string };
  signal?: AbortSignal;
}

/** The code (and, from older servers, the message prefix) of a 403 while the user still has a one-time password. */
export const PASSWORD_CHANGE_REQUIRED = 'password_change_required';

/** A 403 saying the user must set their own password before doing anything else. */
export function isPasswordChangeRequired(e: unknown): boolean {
  return (
    e instanceof ApiError &&
    e.status === 403 &&
    (e.code === PASSWORD_CHANGE_REQUIRED || e.message.startsWith(PASSWORD_CHANGE_REQUIRED))
  );
}

let tokenSource: () => string | null = () => null;
let onUnauthorized: () => void = () => {};
let onPasswordChangeRequired: () => void = () => {};

/** Wired once by the session store, which owns the token. */
export function configureClient(opts: {
  token: () => string | null;
  unauthorized: () => void;
  passwordChangeRequired?: () => void;
}): void {
  tokenSource = opts.token;
  onUnauthorized = opts.unauthorized;
  onPasswordChangeRequired = opts.passwordChangeRequired ?? (() => {});
}

/** Tells the session store about the answers that concern the whole app. */
function notify(path: string, err: ApiError): void {
  // A failed login is also a 401 but must stay on the login form with its message.
  if (err.status === 401 && !path.endsWith('/auth/login')) onUnauthorized();
  else if (isPasswordChangeRequired(err)) onPasswordChangeRequired();
}

export function authHeaders(): Record<string, string> {
  const token = tokenSource();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function url(path: string, query?: Query): string {
  const full = path.startsWith('/api/') ? path : API_BASE + path;
  if (!query) return full;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `${full}?${s}` : full;
}

async function toError(res: Response): Promise<ApiError> {
  let code = 'http_' + res.status;
  let message = res.statusText || `HTTP ${res.status}`;
  let params: ErrorParams = {};
  try {
    const body = (await res.json()) as Partial<ErrorBody>;
    if (body.error?.message) message = body.error.message;
    if (body.error?.code) code = body.error.code;
    if (body.error?.params) params = body.error.params;
    // Older answers carried the wait only at the top level.
    if (body.error?.retry_after != null && params.retry_after == null) params = { ...params, retry_after: body.error.retry_after };
  } catch {
    // Not JSON (a proxy's error page): keep the status text.
  }
  return new ApiError(res.status, code, message, params);
}

/** Sends a request; resolves the parsed JSON body (undefined for 204). */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.text) {
    headers['Content-Type'] = opts.text.type;
    body = opts.text.body;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), { method, headers, body, signal: opts.signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) {
    const err = await toError(res);
    notify(path, err);
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Downloads a protected resource (attachments) as a Blob. */
export async function requestBlob(path: string): Promise<Blob> {
  const res = await fetch(url(path), { headers: authHeaders() });
  if (!res.ok) {
    const err = await toError(res);
    notify(path, err);
    throw err;
  }
  return res.blob();
}

export const http = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, { query }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  del: <T = void>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, form: FormData) => request<T>('POST', path, { form }),
};

//! The signed-in staff user and their token (localStorage `kefu.token`). Owns the API client's
//! token and what happens on a 401 or a `session.ended` from the socket: forget the token and go
//! back to the login screen, saying why. A user
//! with a one-time password (`must_change_password`) may do nothing but set their own; a 403
//! `password_change_required` from any call marks the user so and signals the app shell.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { authApi } from '../api/auth';
import { configureClient } from '../api/client';
import type { Role, User } from '../api/types';

export const TOKEN_KEY = 'kefu.token';

const RANK: Record<Role, number> = { agent: 1, supervisor: 2, admin: 3 };

/** Roles are ordered: each can do what the lower ones can. */
export function roleAtLeast(role: Role | undefined, min: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[min];
}

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function writeToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled (private mode): the session lasts as long as the page.
  }
}

export const useSessionStore = defineStore('session', () => {
  const token = ref<string | null>(readToken());
  const user = ref<User | null>(null);
  /** Bumped on every 401 or ended session so the app shell can navigate to the login screen. */
  const expired = ref(0);
  /** Why the server ended the session (`disabled`, `logged_out`, ...); null for a plain 401. */
  const endedReason = ref<string | null>(null);
  /** Bumped on every 403 `password_change_required` so the app shell can open the password screen. */
  const passwordRequired = ref(0);

  configureClient({
    token: () => token.value,
    unauthorized: () => ended(null),
    passwordChangeRequired: () => {
      if (!user.value) return;
      user.value = { ...user.value, must_change_password: true };
      passwordRequired.value++;
    },
  });

  const isAuthenticated = computed(() => token.value !== null && user.value !== null);
  const role = computed(() => user.value?.role);
  /** The user signed in with a one-time password and must set their own before anything else. */
  const mustChangePassword = computed(() => user.value?.must_change_password === true);

  /** The session is over (a 401, or the server said so on the socket): back to the login screen. */
  function ended(reason: string | null): void {
    if (!token.value) return;
    clear();
    endedReason.value = reason;
    expired.value++;
  }

  function clear(): void {
    token.value = null;
    user.value = null;
    writeToken(null);
  }

  async function login(email: string, password: string): Promise<User> {
    const res = await authApi.login(email, password);
    token.value = res.token;
    user.value = res.user;
    writeToken(res.token);
    return res.user;
  }

  /** Restores the user behind a stored token; false when there is none or it was revoked. */
  async function restore(): Promise<boolean> {
    if (user.value) return true;
    if (!token.value) return false;
    try {
      user.value = await authApi.me();
      return true;
    } catch {
      clear();
      return false;
    }
  }

  /** Sets a new password (this session stays, the others end), then reloads the user. */
  async function changePassword(current: string, next: string): Promise<User> {
    await authApi.changePassword(current, next);
    const me = await authApi.me();
    user.value = me;
    return me;
  }

  async function logout(): Promise<void> {
    try {
      if (token.value) await authApi.logout();
    } catch {
      // The token is dropped locally whatever the server says.
    } finally {
      clear();
    }
  }

  const can = (min: Role) => roleAtLeast(user.value?.role, min);

  return {
    token,
    user,
    expired,
    endedReason,
    ended,
    passwordRequired,
    isAuthenticated,
    role,
    mustChangePassword,
    login,
    restore,
    changePassword,
    logout,
    clear,
    can,
  };
});

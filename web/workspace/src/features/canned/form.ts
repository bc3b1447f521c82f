//! The library editor's checks, before the server's: the same rules (docs/api.md), answered in
//! the user's language while they type rather than as a refused request.

import type { CannedResponse, Id } from '../../api/types';

export const MAX_SHORTCUT = 32;
export const MAX_BODY = 2000;

/** The shortcut as stored: trimmed, without the `/` the agent may type out of habit. */
export function normalShortcut(s: string): string {
  return s.trim().replace(/^\/+/u, '');
}

/** Why this shortcut cannot be saved in `library` (i18n key under agent.canned.errors), or null. */
export function shortcutProblem(shortcut: string, library: readonly CannedResponse[], editing: Id | null): string | null {
  const s = normalShortcut(shortcut);
  if (!s) return null; // "required" is the disabled Save button's job
  if ([...s].length > MAX_SHORTCUT || /[\s/]/u.test(s)) return 'agent.canned.errors.shortcutShape';
  if (library.some((c) => c.shortcut === s && c.id !== editing)) return 'agent.canned.errors.shortcutTaken';
  return null;
}

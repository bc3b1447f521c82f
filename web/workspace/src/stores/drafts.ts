//! Unsent composer text per conversation, kept in sessionStorage (`kefu.drafts.<user id>`) so a
//! draft survives switching conversations, a reload, and a session that ends under the agent's
//! hands (signed out elsewhere, disabled, expired): after signing in again in the same tab the
//! text is still there. Per user, so someone else signing in on the tab does not see it; the tab
//! closing forgets it.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Id } from '../api/types';
import { useSessionStore } from './session';

const PREFIX = 'kefu.drafts.';

function keyFor(user: Id | undefined): string | null {
  return user === undefined ? null : `${PREFIX}${user}`;
}

function read(key: string | null): Record<string, string> {
  if (!key) return {};
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(key) ?? '{}');
    return typeof v === 'object' && v !== null ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function write(key: string | null, drafts: Record<string, string>): void {
  if (!key) return;
  try {
    if (Object.keys(drafts).length === 0) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(drafts));
  } catch {
    // Storage full or disabled: the draft lives as long as the component.
  }
}

export const useDraftsStore = defineStore('drafts', () => {
  const session = useSessionStore();
  const key = () => keyFor(session.user?.id);

  /** The unsent text of a conversation ('' when none). */
  function get(conversation: Id): string {
    return read(key())[String(conversation)] ?? '';
  }

  /** Keep (or, when blank, drop) the unsent text of a conversation. */
  function set(conversation: Id, text: string): void {
    const k = key();
    const drafts = read(k);
    if (text.trim()) drafts[String(conversation)] = text;
    else delete drafts[String(conversation)];
    write(k, drafts);
  }

  function clear(conversation: Id): void {
    set(conversation, '');
  }

  /**
   * Text that was not sent comes back to the composer: ahead of whatever the agent typed since,
   * so nothing is lost. `restored` tells an open composer to reload the draft.
   */
  const restored = ref<{ conversation: Id; n: number } | null>(null);
  function restore(conversation: Id, text: string): void {
    const now = get(conversation);
    set(conversation, now.trim() ? `${text}\n${now}` : text);
    restored.value = { conversation, n: (restored.value?.n ?? 0) + 1 };
  }

  return { get, set, clear, restore, restored };
});

import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { useDraftsStore } from './drafts';
import { useSessionStore } from './session';

const user = (id: number) => ({ id, email: 'a@x', name: 'A', role: 'agent' as const, must_change_password: false });

beforeEach(() => {
  sessionStorage.clear();
  setActivePinia(createPinia());
});

describe('drafts store', () => {
  it('keeps unsent text per conversation across a forced sign-out and a new sign-in', () => {
    const session = useSessionStore();
    session.user = user(5);
    useDraftsStore().set(1, '您好，请稍等');
    useDraftsStore().set(2, '   ');
    session.token = 'tok';
    session.ended('logged_out');
    expect(session.user).toBeNull();

    setActivePinia(createPinia()); // a fresh app after the login screen
    useSessionStore().user = user(5);
    expect(useDraftsStore().get(1)).toBe('您好，请稍等');
    expect(useDraftsStore().get(2)).toBe('');
  });

  it('does not show one user’s drafts to another, and forgets a sent one', () => {
    const session = useSessionStore();
    session.user = user(5);
    const drafts = useDraftsStore();
    drafts.set(1, 'mine');
    session.user = user(6);
    expect(drafts.get(1)).toBe('');
    session.user = user(5);
    drafts.clear(1);
    expect(drafts.get(1)).toBe('');
    expect(sessionStorage.length).toBe(0);
  });
});

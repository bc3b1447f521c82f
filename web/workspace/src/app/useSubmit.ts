//! The submit of a dialog or form: one request at a time (`busy` drives the button's spinner),
//! failures shown to the user, and on success optionally a toast and the dialog closed. With an
//! `error` ref, a 422 (the server refused a value: translated, naming the field when it can) is shown
//! inline in the form, which stays open to fix it; anything else is a toast.

import { ref, type Ref } from 'vue';
import { ApiError } from '../api/client';
import { errorText } from './errorText';
import { reportError, reportSuccess } from './feedback';

export interface AfterSuccess {
  /** Set to false once the action succeeded (the dialog's v-model). */
  close?: Ref<boolean>;
  /** Shown as a success toast once the action succeeded. */
  success?: string;
}

export function useSubmit(opts: { error?: Ref<string | null> } = {}) {
  const busy = ref(false);

  /** Runs `action`; resolves true when it succeeded, false when it failed (already reported). */
  async function submit(action: () => Promise<unknown>, after: AfterSuccess = {}): Promise<boolean> {
    if (busy.value) return false;
    busy.value = true;
    if (opts.error) opts.error.value = null;
    try {
      await action();
    } catch (e) {
      if (opts.error && e instanceof ApiError && e.status === 422) opts.error.value = errorText(e);
      else reportError(e);
      return false;
    } finally {
      busy.value = false;
    }
    if (after.success) reportSuccess(after.success);
    if (after.close) after.close.value = false;
    return true;
  }

  return { busy, submit };
}

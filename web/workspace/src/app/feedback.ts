//! Shows failures to the user: the server's error code translated (errorText.ts), and network
//! trouble said as such. A 401 and a 403 `password_change_required` move the
//! user to another screen (login, password), so they get no toast.

import { ElMessage, ElMessageBox } from 'element-plus';
// Services are not templates, so the component resolver does not bring their CSS: import it here
// (plain CSS files, which Vite and Vitest both handle, rather than Element Plus's style modules).
import 'element-plus/theme-chalk/el-badge.css';
import 'element-plus/theme-chalk/el-message.css';
import 'element-plus/theme-chalk/el-message-box.css';
import 'element-plus/theme-chalk/el-overlay.css';
import 'element-plus/theme-chalk/el-button.css';
import 'element-plus/theme-chalk/el-input.css';
import { ApiError, isPasswordChangeRequired } from '../api/client';
import { errorText } from './errorText';
import { i18n } from './i18n';

export { errorText };

const t = (key: string, args?: Record<string, unknown>) => i18n.global.t(key, args ?? {});

export function reportError(e: unknown): void {
  // A 401 already sends the user to the login screen, a password_change_required 403 to the
  // password screen; no toast on top of them.
  if (e instanceof ApiError && e.status === 401) return;
  if (isPasswordChangeRequired(e)) return;
  ElMessage({ type: 'error', message: errorText(e), showClose: true, grouping: true });
}

/** A problem the user should know of that is not a failed request (e.g. a call refusal). */
export function reportWarning(message: string): void {
  ElMessage({ type: 'warning', message, showClose: true, grouping: true });
}

export function reportSuccess(message: string): void {
  ElMessage({ type: 'success', message });
}

/** Asks before a destructive action; resolves true when confirmed. */
export async function confirmDanger(message: string): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, t('common.confirm.title'), {
      type: 'warning',
      confirmButtonText: t('common.actions.confirm'),
      cancelButtonText: t('common.actions.cancel'),
    });
    return true;
  } catch {
    return false;
  }
}

/** Copies text, falling back to a hidden textarea where the Clipboard API is unavailable (http). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

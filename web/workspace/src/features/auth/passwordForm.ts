//! The rules of the password form, checked before anything is sent (the server checks them too):
//! every field filled, the new password at least 8 characters, typed the same twice and not the
//! current one. A refusal from the server (422, its message naming the field) is turned into the
//! same words where it is one of these rules.

export const MIN_PASSWORD_LENGTH = 8;

export interface PasswordFields {
  current: string;
  next: string;
  confirm: string;
}

/** What is wrong with the form, as an i18n key; null when it may be sent. */
export type PasswordProblem =
  | 'common.password.errors.required'
  | 'common.password.errors.tooShort'
  | 'common.password.errors.mismatch'
  | 'common.password.errors.unchanged'
  | 'common.password.errors.currentWrong';

export function validatePassword(f: PasswordFields): PasswordProblem | null {
  if (!f.current || !f.next || !f.confirm) return 'common.password.errors.required';
  // Characters, as the server counts them (not UTF-16 units).
  if ([...f.next].length < MIN_PASSWORD_LENGTH) return 'common.password.errors.tooShort';
  if (f.next !== f.confirm) return 'common.password.errors.mismatch';
  if (f.next === f.current) return 'common.password.errors.unchanged';
  return null;
}

/** The rule behind a 422 message from `PUT /auth/password`, or null to show the message as-is. */
export function serverProblem(message: string): PasswordProblem | null {
  const [field = '', detail = ''] = message.split(/:\s*/, 2);
  if (field === 'current_password') return 'common.password.errors.currentWrong';
  if (field === 'new_password' && /differ/.test(detail)) return 'common.password.errors.unchanged';
  if ((field === 'password' || field === 'new_password') && /at least/.test(detail)) return 'common.password.errors.tooShort';
  return null;
}

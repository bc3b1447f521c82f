// Staff authentication endpoints.
import type * as Api from '@kefu/api';
import { http } from './client';
import type { User } from './types';

export type LoginResult = Api.LoginResponse;

export const authApi = {
  login: (email: string, password: string) =>
    http.post<LoginResult>('/auth/login', { email, password } satisfies Api.LoginBody),
  logout: () => http.post<void>('/auth/logout'),
  me: () => http.get<User>('/auth/me'),
  /** 204; a 422 names the refused field. Ends the user's other sessions, keeps this one. */
  changePassword: (current_password: string, new_password: string) =>
    http.put<void>('/auth/password', { current_password, new_password } satisfies Api.PasswordBody),
};

// Staff authentication endpoints.
import { http } from './client';
import type { User } from './types';

export interface LoginResult {
  token: string;
  user: User;
}

export const authApi = {
  login: (email: string, password: string) => http.post<LoginResult>('/auth/login', { email, password }),
  logout: () => http.post<void>('/auth/logout'),
  me: () => http.get<User>('/auth/me'),
};

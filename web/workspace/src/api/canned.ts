// Canned responses (快捷回复): the caller's personal library and the team's.
import type * as Api from '@kefu/api';
import { http } from './client';
import type { CannedInput, CannedResponse, Id } from './types';

export const cannedApi = {
  list: () => http.get<Api.CannedResponseList>('/canned-responses').then((r) => r.canned_responses),
  create: (input: CannedInput, team: boolean) =>
    http.post<CannedResponse>('/canned-responses', { ...input, team } satisfies Api.CannedBody),
  update: (id: Id, input: Partial<CannedInput>) =>
    http.patch<CannedResponse>(`/canned-responses/${id}`, input satisfies Api.CannedBody),
  remove: (id: Id) => http.del(`/canned-responses/${id}`),
};

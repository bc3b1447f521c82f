// Search (搜索): conversations by the words of their messages and by filters.
import type * as Api from '@kefu/api';
import { http } from './client';

/** What to search for; empty fields are left out. Times are RFC 3339. */
export interface SearchParams {
  q?: string;
  customer?: string;
  agent_id?: number;
  tag?: number;
  group_id?: number;
  from?: string;
  to?: string;
  status?: string;
  cursor?: string;
  limit?: number;
}

export const searchApi = {
  conversations: (p: SearchParams) => http.get<Api.SearchPage>('/search/conversations', { ...p }),
};

// The audit log of administrative changes (操作日志), for admins.
import type * as Api from '@kefu/api';
import { http } from './client';
import type { AuditEntity } from './types';

export interface AuditQuery {
  q?: string;
  entity?: AuditEntity;
  from?: string;
  to?: string;
}

export const auditApi = {
  /** A page, newest first; pass the previous page's `next_before` for older entries. */
  page: (query: AuditQuery, before?: string) => http.get<Api.AuditPage>('/audit-log', { ...query, before, limit: 50 }),
};

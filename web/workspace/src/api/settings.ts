// The organisation's settings (组织设置): the reports' time zone, the sentiment alert levels and the
// message length limit.
import type * as Api from '@kefu/api';
import { http } from './client';

export type OrgSettings = Api.OrgSettings;

export const settingsApi = {
  get: () => http.get<OrgSettings>('/settings'),
  save: (body: Partial<OrgSettings>) => http.put<OrgSettings>('/settings', body satisfies Api.OrgSettingsBody),
  /** What every staff member's workspace needs: the message length limit. */
  workspace: () => http.get<Api.WorkspaceSettings>('/settings/workspace'),
};

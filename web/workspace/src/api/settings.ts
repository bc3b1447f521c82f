// The organisation's settings (组织设置): the reports' time zone and the sentiment alert levels.
import type * as Api from '@kefu/api';
import { http } from './client';

export type OrgSettings = Api.OrgSettings;

export const settingsApi = {
  get: () => http.get<OrgSettings>('/settings'),
  save: (body: Partial<OrgSettings>) => http.put<OrgSettings>('/settings', body satisfies Api.OrgSettingsBody),
};

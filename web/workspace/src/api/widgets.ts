// Visitor widgets an admin configures (per widget name: pre-chat form, welcome text, business
// types) and the identity-token secret business systems sign visitor identities with.
import type * as Api from '@kefu/api';
import { catalogPages, type CatalogSource } from './catalogPages';
import { http } from './client';
import type { WidgetSettings } from './types';

const path = (name: string) => `/widgets/${encodeURIComponent(name)}`;

export const widgetsApi = {
  /** Pages of the widgets, `default` first, then by name; the cursor is a widget's name. */
  pages: catalogPages<Api.WidgetEntry>('/widgets', 'widgets') as CatalogSource<Api.WidgetEntry>,
  get: (name: string) => http.get<WidgetSettings>(path(name)),
  save: (name: string, settings: WidgetSettings) => http.put<WidgetSettings>(path(name), settings satisfies Api.WidgetSettings),
  /** Deleting `default` puts the built-in form back. */
  remove: (name: string) => http.del(path(name)),
  identitySecret: () => http.get<Api.IdentitySecret>('/widgets/identity-secret').then((r) => r.secret),
  /** A new secret; identity tokens signed with the old one are refused from now on. */
  rotateIdentitySecret: () => http.post<Api.IdentitySecret>('/widgets/identity-secret/rotate').then((r) => r.secret),
};

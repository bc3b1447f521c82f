// Integrations an admin manages: API keys and outgoing webhooks.
import type * as Api from '@kefu/api';
import { http } from './client';
import type { ApiKeyScope, Id, Webhook, WebhookEvent } from './types';

/** What the webhook form edits. */
export interface WebhookInput {
  url: string;
  events: WebhookEvent[];
  active: boolean;
}

export const integrationsApi = {
  apiKeys: () => http.get<Api.ApiKeyList>('/api-keys').then((r) => r.api_keys),
  createApiKey: (name: string, scopes: ApiKeyScope[]) =>
    http.post<Api.ApiKeyCreated>('/api-keys', { name, scopes } satisfies Api.KeyBody),
  revokeApiKey: (id: Id) => http.del(`/api-keys/${id}`),

  webhooks: () => http.get<Api.WebhookList>('/webhooks').then((r) => r.webhooks),
  createWebhook: (body: WebhookInput) => http.post<Api.WebhookCreated>('/webhooks', body satisfies Api.WebhookBody),
  updateWebhook: (id: Id, patch: Partial<WebhookInput>) =>
    http.patch<Webhook>(`/webhooks/${id}`, patch satisfies Api.WebhookBody),
  deleteWebhook: (id: Id) => http.del(`/webhooks/${id}`),
  /** A page of a webhook's deliveries, newest first; `after` = the previous page's `next_after`. */
  deliveries: (id: Id, after?: number) => http.get<Api.DeliveryList>(`/webhooks/${id}/deliveries`, { after }),
};

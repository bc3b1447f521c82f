// Integrations an admin manages: API keys and outgoing webhooks.
import { http } from './client';
import type { ApiKey, ApiKeyScope, Id, Webhook, WebhookDelivery, WebhookEvent } from './types';

export interface WebhookInput {
  url: string;
  events: WebhookEvent[];
  active: boolean;
}

export const integrationsApi = {
  apiKeys: () => http.get<{ api_keys: ApiKey[] }>('/api-keys').then((r) => r.api_keys),
  createApiKey: (name: string, scopes: ApiKeyScope[]) =>
    http.post<{ api_key: ApiKey; key: string }>('/api-keys', { name, scopes }),
  revokeApiKey: (id: Id) => http.del(`/api-keys/${id}`),

  webhooks: () => http.get<{ webhooks: Webhook[] }>('/webhooks').then((r) => r.webhooks),
  createWebhook: (body: WebhookInput) => http.post<{ webhook: Webhook; secret: string }>('/webhooks', body),
  updateWebhook: (id: Id, patch: Partial<WebhookInput>) => http.patch<Webhook>(`/webhooks/${id}`, patch),
  deleteWebhook: (id: Id) => http.del(`/webhooks/${id}`),
  deliveries: (id: Id) =>
    http.get<{ deliveries: WebhookDelivery[] }>(`/webhooks/${id}/deliveries`).then((r) => r.deliveries),
};

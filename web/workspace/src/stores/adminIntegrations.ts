//! Admin: API keys and webhooks. Secrets (a key, a webhook's signing secret) are returned once by
//! the server; they are handed to the caller and never kept in the store.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { integrationsApi, type WebhookInput } from '../api/integrations';
import type { ApiKey, ApiKeyScope, Id, Webhook, WebhookDelivery } from '../api/types';

export const useAdminIntegrationsStore = defineStore('adminIntegrations', () => {
  const apiKeys = ref<ApiKey[]>([]);
  const webhooks = ref<Webhook[]>([]);
  const deliveries = ref(new Map<Id, WebhookDelivery[]>());
  /** Where each webhook's delivery log stands: how many in all, and the next (older) page. */
  const deliveryPages = ref(new Map<Id, { total: number; next_after: number | null }>());
  const loading = ref(false);

  async function loadApiKeys(): Promise<void> {
    loading.value = true;
    try {
      apiKeys.value = await integrationsApi.apiKeys();
    } finally {
      loading.value = false;
    }
  }

  /** Returns the full key: shown once, then only its prefix is known. */
  async function createApiKey(name: string, scopes: ApiKeyScope[]): Promise<string> {
    const res = await integrationsApi.createApiKey(name, scopes);
    apiKeys.value.push(res.api_key);
    return res.key;
  }

  async function revokeApiKey(id: Id): Promise<void> {
    await integrationsApi.revokeApiKey(id);
    apiKeys.value = apiKeys.value.filter((k) => k.id !== id);
  }

  async function loadWebhooks(): Promise<void> {
    loading.value = true;
    try {
      webhooks.value = await integrationsApi.webhooks();
    } finally {
      loading.value = false;
    }
  }

  /** Returns the signing secret: shown once. */
  async function createWebhook(input: WebhookInput): Promise<string> {
    const res = await integrationsApi.createWebhook(input);
    webhooks.value.push(res.webhook);
    return res.secret;
  }

  async function updateWebhook(id: Id, patch: Partial<WebhookInput>): Promise<void> {
    const w = await integrationsApi.updateWebhook(id, patch);
    const i = webhooks.value.findIndex((x) => x.id === id);
    if (i >= 0) webhooks.value[i] = w;
  }

  async function deleteWebhook(id: Id): Promise<void> {
    await integrationsApi.deleteWebhook(id);
    webhooks.value = webhooks.value.filter((w) => w.id !== id);
    deliveries.value.delete(id);
  }

  /** The newest page of a webhook's deliveries (again); `older` appends the next page. */
  async function loadDeliveries(id: Id, older = false): Promise<void> {
    const cursor = older ? deliveryPages.value.get(id)?.next_after : undefined;
    if (older && cursor == null) return;
    const page = await integrationsApi.deliveries(id, cursor ?? undefined);
    const shown = older ? (deliveries.value.get(id) ?? []) : [];
    deliveries.value.set(id, [...shown, ...page.deliveries]);
    deliveryPages.value.set(id, { total: page.total, next_after: page.next_after });
  }

  return {
    apiKeys,
    webhooks,
    deliveries,
    deliveryPages,
    loading,
    loadApiKeys,
    createApiKey,
    revokeApiKey,
    loadWebhooks,
    createWebhook,
    updateWebhook,
    deleteWebhook,
    loadDeliveries,
  };
});

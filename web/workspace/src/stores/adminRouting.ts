//! Admin: routing configuration — skill groups with their members, business types, wrap-up codes.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { catalogApi } from '../api/catalog';
import type * as Api from '@kefu/api';
import type { BusinessType, Group, GroupInput, GroupMember, Id, WrapUpCode } from '../api/types';

export const useAdminRoutingStore = defineStore('adminRouting', () => {
  const groups = ref<Group[]>([]);
  const businessTypes = ref<BusinessType[]>([]);
  const wrapUpCodes = ref<WrapUpCode[]>([]);
  const loading = ref(false);
  /** Recording policy by group id, and each business type's override (null: its group's). */
  const groupRecording = ref(new Map<Id, Api.RecordingPolicy>());
  const typeRecording = ref(new Map<Id, Api.RecordingPolicy | null>());

  async function loadRecordingPolicies(): Promise<void> {
    const p = await catalogApi.recordingPolicies();
    groupRecording.value = new Map(p.groups.map((g) => [g.group_id, g.policy]));
    typeRecording.value = new Map(p.business_types.map((b) => [b.business_type_id, b.policy]));
  }

  async function loadAll(): Promise<void> {
    loading.value = true;
    try {
      const [g, b, w] = await Promise.all([catalogApi.groups(), catalogApi.businessTypes(), catalogApi.wrapUpCodes()]);
      groups.value = g;
      businessTypes.value = b;
      wrapUpCodes.value = w;
      await loadRecordingPolicies();
    } finally {
      loading.value = false;
    }
  }

  async function loadGroups(): Promise<void> {
    groups.value = await catalogApi.groups();
  }

  /** Creates or updates a group, then sets its members (a separate call in the API). */
  async function saveGroup(id: Id | null, input: GroupInput, members: GroupMember[], recording?: Api.RecordingPolicy): Promise<void> {
    const saved = id === null ? await catalogApi.createGroup(input) : await catalogApi.updateGroup(id, input);
    await catalogApi.setMembers(saved.id, members);
    if (recording) {
      await catalogApi.setGroupRecordingPolicy(saved.id, recording);
      groupRecording.value.set(saved.id, recording);
    }
    await loadGroups();
  }

  async function deleteGroup(id: Id): Promise<void> {
    await catalogApi.deleteGroup(id);
    groups.value = groups.value.filter((g) => g.id !== id);
  }

  async function saveBusinessType(id: Id | null, input: Omit<BusinessType, 'id'>, recording: Api.RecordingPolicy | null = null): Promise<void> {
    const saved =
      id === null ? await catalogApi.createBusinessType(input) : await catalogApi.updateBusinessType(id, input);
    await catalogApi.setBusinessTypeRecordingPolicy(saved.id, recording);
    typeRecording.value.set(saved.id, recording);
    const i = businessTypes.value.findIndex((b) => b.id === saved.id);
    if (i >= 0) businessTypes.value[i] = saved;
    else businessTypes.value.push(saved);
  }

  async function deleteBusinessType(id: Id): Promise<void> {
    await catalogApi.deleteBusinessType(id);
    businessTypes.value = businessTypes.value.filter((b) => b.id !== id);
  }

  async function createWrapUpCode(input: { code: string; label: string }): Promise<void> {
    wrapUpCodes.value.push(await catalogApi.createWrapUpCode(input));
  }

  async function updateWrapUpCode(id: Id, patch: { label?: string; disabled?: boolean }): Promise<void> {
    const updated = await catalogApi.updateWrapUpCode(id, patch);
    wrapUpCodes.value = wrapUpCodes.value.map((w) => (w.id === id ? updated : w));
  }

  /** Move a code one place up (-1) or down (+1); the server keeps the order. */
  async function moveWrapUpCode(id: Id, step: -1 | 1): Promise<void> {
    const ids = wrapUpCodes.value.map((w) => w.id);
    const i = ids.indexOf(id);
    const j = i + step;
    if (i < 0 || j < 0 || j >= ids.length) return;
    ids.splice(j, 0, ...ids.splice(i, 1));
    wrapUpCodes.value = await catalogApi.reorderWrapUpCodes(ids);
  }

  async function deleteWrapUpCode(id: Id): Promise<void> {
    await catalogApi.deleteWrapUpCode(id);
    wrapUpCodes.value = wrapUpCodes.value.filter((w) => w.id !== id);
  }

  return {
    groups,
    groupRecording,
    typeRecording,
    loadRecordingPolicies,
    businessTypes,
    wrapUpCodes,
    loading,
    loadAll,
    loadGroups,
    saveGroup,
    deleteGroup,
    saveBusinessType,
    deleteBusinessType,
    createWrapUpCode,
    updateWrapUpCode,
    moveWrapUpCode,
    deleteWrapUpCode,
  };
});

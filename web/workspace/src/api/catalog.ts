// Routing configuration: skill groups, business types and wrap-up codes.
import type * as Api from '@kefu/api';
import { http } from './client';
import type { BusinessType, Group, GroupInput, GroupMember, Id, WrapUpCode } from './types';

export const catalogApi = {
  groups: () => http.get<Api.GroupList>('/groups').then((r) => r.groups),
  createGroup: (body: GroupInput) => http.post<Group>('/groups', body satisfies Api.GroupBody),
  updateGroup: (id: Id, patch: Partial<GroupInput>) => http.patch<Group>(`/groups/${id}`, patch satisfies Api.GroupBody),
  deleteGroup: (id: Id) => http.del(`/groups/${id}`),
  setMembers: (id: Id, members: GroupMember[]) =>
    http.put<Group>(`/groups/${id}/members`, members satisfies Api.MemberBody[]),

  /** Every group's recording policy and every business type's override (null: its group's). */
  recordingPolicies: () => http.get<Api.RecordingPolicies>('/recording-policies'),
  setGroupRecordingPolicy: (id: Id, policy: Api.RecordingPolicy) => http.put<Api.GroupRecordingPolicy>(`/groups/${id}/recording-policy`, { policy }),
  setBusinessTypeRecordingPolicy: (id: Id, policy: Api.RecordingPolicy | null) =>
    http.put<Api.BusinessTypeRecordingPolicy>(`/business-types/${id}/recording-policy`, { policy }),
  businessTypes: () => http.get<Api.BusinessTypeList>('/business-types').then((r) => r.business_types),
  createBusinessType: (body: Omit<BusinessType, 'id'>) =>
    http.post<BusinessType>('/business-types', body satisfies Api.TypeBody),
  updateBusinessType: (id: Id, patch: Partial<Omit<BusinessType, 'id'>>) =>
    http.patch<BusinessType>(`/business-types/${id}`, patch satisfies Api.TypeBody),
  deleteBusinessType: (id: Id) => http.del(`/business-types/${id}`),

  wrapUpCodes: () => http.get<Api.WrapUpCodeList>('/wrap-up-codes').then((r) => r.codes),
  createWrapUpCode: (body: Api.CodeBody) => http.post<WrapUpCode>('/wrap-up-codes', body),
  updateWrapUpCode: (id: Id, patch: Api.CodeUpdate) => http.patch<WrapUpCode>(`/wrap-up-codes/${id}`, patch),
  /** Every code's id once, in the new order; answers the list in that order. */
  reorderWrapUpCodes: (ids: Id[]) =>
    http.put<Api.WrapUpCodeList>('/wrap-up-codes/order', { ids } satisfies Api.CodeOrder).then((r) => r.codes),
  deleteWrapUpCode: (id: Id) => http.del(`/wrap-up-codes/${id}`),
};

// Routing configuration: skill groups, business types and wrap-up codes.
import { http } from './client';
import type { BusinessType, Group, GroupInput, GroupMember, Id, WrapUpCode } from './types';

export const catalogApi = {
  groups: () => http.get<{ groups: Group[] }>('/groups').then((r) => r.groups),
  createGroup: (body: GroupInput) => http.post<Group>('/groups', body),
  updateGroup: (id: Id, patch: Partial<GroupInput>) => http.patch<Group>(`/groups/${id}`, patch),
  deleteGroup: (id: Id) => http.del(`/groups/${id}`),
  setMembers: (id: Id, members: GroupMember[]) => http.put<unknown>(`/groups/${id}/members`, members),

  businessTypes: () =>
    http.get<{ business_types: BusinessType[] }>('/business-types').then((r) => r.business_types),
  createBusinessType: (body: Omit<BusinessType, 'id'>) => http.post<BusinessType>('/business-types', body),
  updateBusinessType: (id: Id, patch: Partial<Omit<BusinessType, 'id'>>) =>
    http.patch<BusinessType>(`/business-types/${id}`, patch),
  deleteBusinessType: (id: Id) => http.del(`/business-types/${id}`),

  wrapUpCodes: () => http.get<{ codes: WrapUpCode[] }>('/wrap-up-codes').then((r) => r.codes),
  createWrapUpCode: (body: Omit<WrapUpCode, 'id'>) => http.post<WrapUpCode>('/wrap-up-codes', body),
  deleteWrapUpCode: (id: Id) => http.del(`/wrap-up-codes/${id}`),
};

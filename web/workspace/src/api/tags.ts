// Tags (标签): the admin-managed list, tags on conversations and on customers.
import type * as Api from '@kefu/api';
import { http } from './client';
import type { Id, Tag, TagInput } from './types';

const tags = (r: Api.TagList) => r.tags;

export const tagsApi = {
  list: (includeDisabled = false) => http.get<Api.TagList>('/tags', { include_disabled: includeDisabled || undefined }).then(tags),
  create: (input: TagInput) => http.post<Tag>('/tags', input satisfies Api.TagBody),
  update: (id: Id, input: Partial<TagInput>) => http.patch<Tag>(`/tags/${id}`, input satisfies Api.TagBody),
  remove: (id: Id) => http.del(`/tags/${id}`),
  ofConversation: (id: Id) => http.get<Api.TagList>(`/conversations/${id}/tags`).then(tags),
  tagConversation: (id: Id, tag: Id) => http.put<Api.TagList>(`/conversations/${id}/tags/${tag}`).then(tags),
  untagConversation: (id: Id, tag: Id) => http.del<Api.TagList>(`/conversations/${id}/tags/${tag}`).then(tags),
  ofVisitor: (id: Id) => http.get<Api.TagList>(`/visitors/${id}/tags`).then(tags),
  tagVisitor: (id: Id, tag: Id) => http.put<Api.TagList>(`/visitors/${id}/tags/${tag}`).then(tags),
  untagVisitor: (id: Id, tag: Id) => http.del<Api.TagList>(`/visitors/${id}/tags/${tag}`).then(tags),
};

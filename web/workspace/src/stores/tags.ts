//! Tags (标签): the admin-managed list (every tag, for the admin page; the enabled ones, for the
//! pickers), and the tagging actions on a conversation and on a customer.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { tagsApi } from '../api/tags';
import type { Id, Tag, TagInput } from '../api/types';
import { useConversationsStore } from './conversations';

export const useTagsStore = defineStore('tags', () => {
  /** Every tag, disabled ones too when an admin loaded them; by name. */
  const all = ref<Tag[]>([]);
  const loading = ref(false);
  /** Customers' tags by visitor id. */
  const ofVisitor = ref(new Map<Id, Tag[]>());

  const enabled = computed(() => all.value.filter((t) => !t.disabled));

  async function load(includeDisabled = false): Promise<void> {
    loading.value = true;
    try {
      all.value = await tagsApi.list(includeDisabled);
    } finally {
      loading.value = false;
    }
  }

  async function create(input: TagInput): Promise<void> {
    await tagsApi.create(input);
    await load(true);
  }

  async function update(id: Id, input: Partial<TagInput>): Promise<void> {
    await tagsApi.update(id, input);
    await load(true);
  }

  async function remove(id: Id): Promise<void> {
    await tagsApi.remove(id);
    all.value = all.value.filter((t) => t.id !== id);
  }

  async function tagConversation(id: Id, tag: Id, on: boolean): Promise<void> {
    const tags = on ? await tagsApi.tagConversation(id, tag) : await tagsApi.untagConversation(id, tag);
    useConversationsStore().applyTags(id, tags);
  }

  async function loadVisitor(visitor: Id): Promise<void> {
    ofVisitor.value.set(visitor, await tagsApi.ofVisitor(visitor));
  }

  async function tagVisitor(visitor: Id, tag: Id, on: boolean): Promise<void> {
    ofVisitor.value.set(visitor, on ? await tagsApi.tagVisitor(visitor, tag) : await tagsApi.untagVisitor(visitor, tag));
  }

  /**
   * A `visitor.tags` frame: a colleague changed the customer's tags. Kept only for customers
   * whose panel loaded their tags here (supervisors hear of every change); others load on open.
   */
  function applyVisitorTags(visitor: Id, tags: Tag[]): void {
    if (ofVisitor.value.has(visitor)) ofVisitor.value.set(visitor, tags);
  }

  function reset(): void {
    all.value = [];
    ofVisitor.value.clear();
  }

  return { all, enabled, loading, ofVisitor, load, create, update, remove, tagConversation, loadVisitor, tagVisitor, applyVisitorTags, reset };
});

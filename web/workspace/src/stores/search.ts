//! Search (搜索): the filters the agent set, the results so far and the cursor of the next page.
//! A newer search replaces an older one still in flight (its late answer is dropped).

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { searchApi, type SearchParams } from '../api/search';
import type * as Api from '@kefu/api';
import { errorText } from '../app/errorText';

/** The search form. Empty strings and nulls mean "any". */
export interface SearchForm {
  q: string;
  customer: string;
  agentId: number | null;
  tagId: number | null;
  groupId: number | null;
  status: string;
  from?: string;
  to?: string;
}

export const emptyForm = (): SearchForm => ({ q: '', customer: '', agentId: null, tagId: null, groupId: null, status: '' });

/** The request a form asks for (blank fields left out). */
export function paramsOf(f: SearchForm): SearchParams {
  const p: SearchParams = { limit: 20 };
  if (f.q.trim()) p.q = f.q.trim();
  if (f.customer.trim()) p.customer = f.customer.trim();
  if (f.agentId !== null) p.agent_id = f.agentId;
  if (f.tagId !== null) p.tag = f.tagId;
  if (f.groupId !== null) p.group_id = f.groupId;
  if (f.status) p.status = f.status;
  if (f.from) p.from = f.from;
  if (f.to) p.to = f.to;
  return p;
}

export const useSearchStore = defineStore('search', () => {
  const results = ref<Api.SearchResult[]>([]);
  const next = ref<string | null>(null);
  const loading = ref(false);
  /** Whether a search has run (so "no results" is said only after one). */
  const searched = ref(false);
  const error = ref<string | null>(null);
  let asked: SearchParams = {};
  let generation = 0;

  async function fetchPage(params: SearchParams, more: boolean): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const page = await searchApi.conversations(params);
      if (mine !== generation) return;
      const seen = new Set(more ? results.value.map((r) => r.conversation.id) : []);
      results.value = [...(more ? results.value : []), ...page.results.filter((r) => !seen.has(r.conversation.id))];
      next.value = page.next_cursor;
      searched.value = true;
    } catch (e) {
      if (mine === generation) error.value = errorText(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  async function search(form: SearchForm): Promise<void> {
    asked = paramsOf(form);
    await fetchPage(asked, false);
  }

  async function more(): Promise<void> {
    if (!next.value) return;
    await fetchPage({ ...asked, cursor: next.value }, true);
  }

  function reset(): void {
    generation++;
    results.value = [];
    next.value = null;
    searched.value = false;
    error.value = null;
    loading.value = false;
  }

  return { results, next, loading, searched, error, search, more, reset };
});

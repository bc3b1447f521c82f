//! One filter of an admin table kept in the URL query (`?status=disabled`): a reload or a shared
//! link shows the same rows, and clearing the filter drops it from the URL.

import { ref, watch, type Ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';

export function useQueryFilter(key: string): Ref<string> {
  const route = useRoute();
  const router = useRouter();
  const start = route.query[key];
  const value = ref(typeof start === 'string' ? start : '');
  watch(value, (v) => void router.replace({ query: { ...route.query, [key]: v || undefined } }));
  return value;
}

//! Which row a form dialog edits (null: a new one) and whether it is open: the create/edit pair
//! every admin list page has.

import { ref, type Ref } from 'vue';

export function useEditor<T>() {
  const editing = ref(null) as Ref<T | null>;
  const open = ref(false);
  function edit(row: T | null): void {
    editing.value = row;
    open.value = true;
  }
  return { editing, open, edit, create: () => edit(null) };
}

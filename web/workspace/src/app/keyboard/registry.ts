//! The app's one shortcut registry, listening on the window, and a composable to register
//! shortcuts for as long as a component is mounted.

import { onBeforeUnmount, onMounted, ref } from 'vue';
import { ShortcutRegistry, type Shortcut } from './shortcuts';

export const shortcuts = new ShortcutRegistry();
/** Bumped on register/unregister so the help dialog re-reads the list. */
export const shortcutsVersion = ref(0);

let listening = false;

export function listenForShortcuts(target: Window = window): void {
  if (listening) return;
  listening = true;
  target.addEventListener('keydown', (e) => shortcuts.handle(e));
}

export function useShortcuts(list: Shortcut[]): void {
  const offs: (() => void)[] = [];
  onMounted(() => {
    for (const s of list) offs.push(shortcuts.register(s));
    shortcutsVersion.value++;
  });
  onBeforeUnmount(() => {
    for (const off of offs.splice(0)) off();
    shortcutsVersion.value++;
  });
}

//! The organisation's message length limit (an admin sets it in 组织设置): the composer counts
//! against the figure the server enforces, read once per session from the server. Until it
//! arrives (or if it cannot be read) the default stands; the server still refuses a longer text
//! with `message_too_long` naming its limit.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { settingsApi } from '../api/settings';
import { DEFAULT_MAX_TEXT_CHARS } from '../features/agent/messageLength';

export const useMessageLimitStore = defineStore('messageLimit', () => {
  const max = ref(DEFAULT_MAX_TEXT_CHARS);
  let loading: Promise<void> | null = null;

  /** Read the limit once; later calls wait for the same request. */
  function load(): Promise<void> {
    loading ??= settingsApi
      .workspace()
      .then((s) => {
        max.value = s.max_message_chars;
      })
      .catch(() => {
        loading = null;
      });
    return loading;
  }

  /** After an admin saved a new limit, or a refusal named another one. */
  function set(value: number): void {
    max.value = value;
  }

  return { max, load, set };
});

//! Attachment bytes are fetched here with the Bearer token and shown through blob URLs (one per
//! attachment, revoked on logout): the signed links in messages work without a token but expire
//! after about 10 minutes, and the workspace stays open for a whole shift.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { requestBlob } from '../api/client';
import type { Attachment, Id } from '../api/types';

export const useAttachmentsStore = defineStore('attachments', () => {
  const urls = ref(new Map<Id, string>());
  const pending = new Map<Id, Promise<string>>();

  function objectUrl(att: Attachment): Promise<string> {
    const known = urls.value.get(att.id);
    if (known) return Promise.resolve(known);
    let p = pending.get(att.id);
    if (!p) {
      p = requestBlob(att.url)
        .then((blob) => {
          const u = URL.createObjectURL(blob);
          urls.value.set(att.id, u);
          return u;
        })
        .finally(() => pending.delete(att.id));
      pending.set(att.id, p);
    }
    return p;
  }

  /** Saves an attachment under its original name. */
  async function download(att: Attachment): Promise<void> {
    const u = await objectUrl(att);
    const a = document.createElement('a');
    a.href = u;
    a.download = att.name;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function reset(): void {
    for (const u of urls.value.values()) URL.revokeObjectURL(u);
    urls.value.clear();
  }

  return { urls, objectUrl, download, reset };
});

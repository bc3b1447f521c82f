// The frame fetches attachments with the visitor's Bearer token and shows blob URLs: the signed
// links in messages expire after about 10 minutes, long before an open chat does.
// One fetch per attachment; the URLs are revoked when the view that used them goes away.

import type { Api } from './api';

export class AttachmentCache {
  readonly #api: Api;
  readonly #urls = new Map<string, Promise<string>>();

  constructor(api: Api) {
    this.#api = api;
  }

  objectUrl(url: string): Promise<string> {
    let p = this.#urls.get(url);
    if (!p) {
      p = this.#api.attachment(url).then((blob) => URL.createObjectURL(blob));
      // A failed fetch may be retried later (e.g. after reconnecting).
      p.catch(() => this.#urls.delete(url));
      this.#urls.set(url, p);
    }
    return p;
  }

  dispose(): void {
    for (const p of this.#urls.values()) p.then(URL.revokeObjectURL, () => {});
    this.#urls.clear();
  }
}

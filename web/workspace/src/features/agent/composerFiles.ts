//! Files the agent pastes or drops into the composer. A screenshot pasted from the clipboard
//! arrives nameless ("image.png" at best), so it gets a name that says when it was pasted.

const EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** The files a paste or drop carries (none for plain text, which the textarea handles itself). */
export function filesOf(data: Pick<DataTransfer, 'files' | 'items'> | null): File[] {
  if (!data) return [];
  const files = [...(data.files ?? [])];
  if (files.length) return files;
  const out: File[] = [];
  for (const item of [...(data.items ?? [])]) {
    if (item.kind !== 'file') continue;
    const f = item.getAsFile();
    if (f) out.push(f);
  }
  return out;
}

/** True when a drag carries files (not text dragged from elsewhere on the page). */
export function dragHasFiles(data: Pick<DataTransfer, 'types'> | null): boolean {
  return !!data && [...data.types].includes('Files');
}

/** Names a pasted screenshot `pasted-YYYYMMDD-HHmmss.png`; files with a real name keep it. */
export function namedForUpload(f: File, now = new Date()): File {
  const generic = !f.name || /^image\.(png|jpe?g|gif|webp)$/i.test(f.name);
  if (!generic || !f.type.startsWith('image/')) return f;
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return new File([f], `pasted-${stamp}.${EXT[f.type] ?? 'png'}`, { type: f.type, lastModified: f.lastModified });
}

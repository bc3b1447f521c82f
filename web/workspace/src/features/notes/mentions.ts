//! Which colleagues a note @mentions: those picked in the composer's autocomplete whose `@name`
//! is still in the text when it is sent (a deleted mention notifies nobody).

export interface Colleague {
  id: number;
  name: string;
}

export function mentionedIds(text: string, picked: Iterable<Colleague>): number[] {
  const ids = new Set<number>();
  for (const c of picked) if (text.includes('@' + c.name)) ids.add(c.id);
  return [...ids].sort((a, b) => a - b);
}

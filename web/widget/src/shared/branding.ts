// A widget's look as the admin set it (`branding` in the widget config): the colour, with a darker
// shade for hover and pressed states, and the launcher's corner. Shared by the loader (launcher on
// the customer's page) and the frame (chat header, buttons).

const HEX = /^#[0-9a-f]{6}$/i;

/** The colour if it is `#rrggbb`, else null (a stored value the server validated, read defensively). */
export function brandColor(color: unknown): string | null {
  return typeof color === 'string' && HEX.test(color) ? color.toLowerCase() : null;
}

/** `color` darkened by `amount` (0..1) towards black: the hover shade. */
export function darker(color: string, amount = 0.2): string {
  const n = parseInt(color.slice(1), 16);
  const channel = (shift: number) => Math.round(((n >> shift) & 0xff) * (1 - amount));
  return `#${[16, 8, 0].map((s) => channel(s).toString(16).padStart(2, '0')).join('')}`;
}

/** A logo the frame may show: only the data:image URLs the server accepts. */
export function safeLogo(logo: unknown): string | null {
  return typeof logo === 'string' && /^data:image\/(png|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/.test(logo) ? logo : null;
}

// Which widget a page shows: `data-widget` on the loader, `widget=` in the frame's URL. Each widget
// has its own settings on the server (pre-chat form, welcome text, business types).

export const DEFAULT_WIDGET = 'default';

/** A widget name as the server accepts it: 1 to 32 characters of a-z, 0-9, - and _. */
export function isWidgetName(name: string): boolean {
  return /^[a-z0-9_-]{1,32}$/.test(name);
}

/** The widget named by a parameter; blank or absent means `default`. */
export function widgetName(value: string | null | undefined): string {
  return value?.trim() || DEFAULT_WIDGET;
}

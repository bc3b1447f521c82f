//! The widget form's model: what the dialog edits, and the WidgetSettings it sends. Labels and
//! welcome text are kept per locale as the server has them (a locale the UI does not edit stays);
//! blank ones are left out when saving.

import type { FieldKind, WidgetBranding, WidgetField, WidgetSettings } from '../../api/types';

/** The server's limit on pre-chat fields. */
export const MAX_FIELDS = 10;
/** The only field that may be a select: the business type picker. */
export const BUSINESS_TYPE_FIELD = 'business_type_id';
/** The locales the form edits, in this order. */
export const EDITED_LOCALES = ['zh-CN', 'en'] as const;

/** A field row; `key` only keeps Vue's list stable while rows move. */
export interface FieldRow extends WidgetField {
  key: number;
}

export interface WidgetForm {
  name: string;
  fields: FieldRow[];
  welcome: Record<string, string>;
  businessTypeIds: number[];
  /** The allowed origins, one per line as the admin types them. */
  allowedOrigins: string;
  branding: WidgetBranding;
}

/** The built-in look (the server's defaults). */
export const DEFAULT_BRANDING: WidgetBranding = { color: '#1f5fbf', position: 'right', title: {}, logo: null };

/** The server's limit on a logo data URL. */
export const MAX_LOGO_BYTES = 100 * 1024;

let nextKey = 1;

/** Widget and field names as the server accepts them: 1 to 32 of a-z, 0-9, - and _. */
export function isWidgetName(name: string): boolean {
  return /^[a-z0-9_-]{1,32}$/.test(name);
}

export function fieldRow(f: WidgetField): FieldRow {
  return { ...f, label: { ...f.label }, key: nextKey++ };
}

export function newField(kind: FieldKind = 'text'): FieldRow {
  return fieldRow({ name: kind === 'select' ? BUSINESS_TYPE_FIELD : '', label: {}, required: false, kind });
}

/** The form for a widget's settings (or, for a new widget, a copy of `from`). */
export function formFromSettings(name: string, s: WidgetSettings | null | undefined): WidgetForm {
  return {
    name,
    fields: (s?.fields ?? []).map(fieldRow),
    welcome: { ...(s?.welcome ?? {}) },
    businessTypeIds: [...(s?.business_type_ids ?? [])],
    allowedOrigins: (s?.allowed_origins ?? []).join('\n'),
    branding: { ...DEFAULT_BRANDING, ...(s?.branding ?? {}), title: { ...(s?.branding?.title ?? {}) } },
  };
}

/**
 * The origins typed one per line (or separated by spaces or commas), blanks and repeats left out.
 * A trailing slash is dropped, since a browser's origin never has one; the server checks the rest.
 */
export function originsFromText(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\s,]+/)) {
    const o = raw.trim().replace(/\/+$/, '');
    if (o && !out.includes(o)) out.push(o);
  }
  return out;
}

function localized(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [locale, text] of Object.entries(m)) if (text?.trim()) out[locale] = text.trim();
  return out;
}

export function settingsFromForm(f: WidgetForm): WidgetSettings {
  return {
    fields: f.fields.map((r) => ({ name: r.name.trim(), label: localized(r.label), required: r.required, kind: r.kind })),
    welcome: localized(f.welcome),
    business_type_ids: [...f.businessTypeIds],
    allowed_origins: originsFromText(f.allowedOrigins),
    branding: { ...f.branding, title: localized(f.branding.title) },
  };
}

/** The snippet a site pastes before `</body>` to show this widget. */
export function embedSnippet(serverOrigin: string, name: string): string {
  const widget = name && name !== 'default' ? ` data-widget="${name}"` : '';
  return `<script src="${serverOrigin}/widget/loader.js"${widget} async></script>`;
}

/** Moves row `i` by `by` (-1 up, +1 down) when there is room. */
export function moveField(rows: FieldRow[], i: number, by: -1 | 1): FieldRow[] {
  const j = i + by;
  if (i < 0 || j < 0 || i >= rows.length || j >= rows.length) return rows;
  const out = [...rows];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

/** A label in the UI's locale, else any, else the field name. */
export function labelIn(label: Record<string, string>, locale: string, fallback: string): string {
  return label[locale] || Object.values(label).find((l) => l.trim()) || fallback;
}

/** Per-language texts as the API takes them: trimmed, blank ones left out. */
export function localizedInput(texts: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(texts)
      .map(([loc, text]) => [loc, text.trim()])
      .filter(([, text]) => text),
  );
}

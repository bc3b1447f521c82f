//! Fills a skill group's CRM URL template with a customer's external id.

/**
 * Replaces every `{external_id}` with the URL-encoded id. Returns null when there is no template
 * or no id, or when the result is not an http(s) URL (a template must never yield `javascript:`).
 */
export function crmUrl(template: string | null | undefined, externalId: string | null | undefined): string | null {
  if (!template || !externalId) return null;
  const filled = template.split('{external_id}').join(encodeURIComponent(externalId));
  try {
    const u = new URL(filled, typeof location !== 'undefined' ? location.href : 'http://localhost/');
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

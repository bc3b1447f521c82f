//! Variables in canned responses (快捷回复): `{{customer.name}}` and friends, expanded when the
//! agent inserts a response, so the agent sees the real text and can edit it before sending.
//! A known variable without a value becomes empty; an unknown one (a typo, or one this version
//! does not know) stays as written, so the agent notices it instead of sending a silent gap.
//! The list is documented in docs/api.md.

import type { Conversation } from '../../api/types';

/** The variables the workspace fills in, in the order the editor offers them. */
export const CANNED_VARIABLES = [
  'customer.name',
  'customer.external_id',
  'customer.vip_level',
  'agent.name',
  'conversation.id',
  'conversation.topic',
  'business_type',
  'group',
] as const;

export type CannedVariable = (typeof CANNED_VARIABLES)[number];
export type CannedValues = Partial<Record<CannedVariable, string>>;

const KNOWN = new Set<string>(CANNED_VARIABLES);

/** `{{ name }}`: letters, digits, `_` and `.`; spaces inside the braces are allowed. */
const PATTERN = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/** The body with known variables replaced by their values. */
export function expandVariables(body: string, values: CannedValues): string {
  return body.replace(PATTERN, (whole, name: string) => (KNOWN.has(name) ? (values[name as CannedVariable] ?? '') : whole));
}

/** What the variables stand for in this conversation, for this agent. */
export function valuesFor(
  c: Conversation | undefined,
  agentName: string | undefined,
  names: { businessType?: string; group?: string } = {},
): CannedValues {
  return {
    'customer.name': c?.visitor.name ?? '',
    'customer.external_id': c?.visitor.external_id ?? '',
    'customer.vip_level': c ? String(c.visitor.vip_level) : '',
    'agent.name': agentName ?? '',
    'conversation.id': c ? String(c.id) : '',
    'conversation.topic': c?.topic ?? '',
    business_type: names.businessType ?? '',
    group: names.group ?? '',
  };
}

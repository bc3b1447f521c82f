// Turns the pre-chat form (fields from GET /widget/config) into the POST /conversations body.
// The contract has places for `name` and `topic`; any other field is handed to the agent as a
// "label: value" line in the opening message, so nothing the visitor typed is lost.

import type { Locale } from '../i18n/locale';
import type { CreateConversation, PreChatField } from './types';

export interface PreChatInput {
  fields: PreChatField[];
  /** Field name -> what the visitor entered (business type selects excluded). */
  values: Record<string, string>;
  businessTypeId: number | null;
  locale: Locale;
}

/** The first select field is the business type picker (the only options the contract offers). */
export function businessTypeField(fields: PreChatField[]): PreChatField | undefined {
  return fields.find((f) => f.kind === 'select');
}

export function missingRequired(input: PreChatInput): PreChatField | undefined {
  const picker = businessTypeField(input.fields);
  return input.fields.find((f) => f.required && f !== picker && !(input.values[f.name] ?? '').trim());
}

export function conversationRequest(input: PreChatInput, leaveMessage?: string): CreateConversation {
  const body: CreateConversation = {};
  if (input.businessTypeId !== null) body.business_type_id = input.businessTypeId;
  const picker = businessTypeField(input.fields);
  const extra: string[] = [];
  for (const f of input.fields) {
    if (f === picker) continue;
    const v = (input.values[f.name] ?? '').trim();
    if (!v) continue;
    if (f.name === 'name') body.name = v;
    else if (f.name === 'topic') body.topic = v;
    else extra.push(`${f.label[input.locale] || f.name}: ${v}`);
  }
  const text = leaveMessage?.trim();
  if (text) extra.push(text);
  if (extra.length) body.message = extra.join('\n');
  if (leaveMessage !== undefined) body.leave_message = true;
  return body;
}

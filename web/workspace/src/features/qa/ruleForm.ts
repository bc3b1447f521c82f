//! The rule editor's flat form <-> a rule's `check`: one set of fields for every kind, of which
//! each kind uses some. Pure, so it is tested without a browser.

import type { QaCheck, QaCheckKind } from '../../api/qa';

export const KINDS: QaCheckKind[] = [
  'forbidden_words',
  'greeting',
  'closing',
  'first_response',
  'response_time',
  'long_silence',
  'supervisor_request',
  'transfers',
  'wrap_up_missing',
  'low_csat',
];

export interface RuleFields {
  kind: QaCheckKind;
  /** One word or phrase per line. */
  words: string;
  within: number;
  limitSecs: number;
  max: number;
  atMost: number;
}

/** Which fields a kind uses. */
export function usesOf(kind: QaCheckKind): { words: boolean; within: boolean; limit: boolean; max: boolean; atMost: boolean } {
  return {
    words: kind === 'forbidden_words' || kind === 'greeting' || kind === 'closing' || kind === 'supervisor_request',
    within: kind === 'greeting' || kind === 'closing',
    limit: kind === 'first_response' || kind === 'response_time' || kind === 'long_silence',
    max: kind === 'transfers',
    atMost: kind === 'low_csat',
  };
}

export function emptyFields(kind: QaCheckKind = 'forbidden_words'): RuleFields {
  return { kind, words: '', within: 2, limitSecs: 60, max: 2, atMost: 2 };
}

export function fieldsOf(c: QaCheck): RuleFields {
  const f = emptyFields(c.kind);
  if ('words' in c) f.words = c.words.join('\n');
  if ('phrases' in c) f.words = c.phrases.join('\n');
  if ('within' in c) f.within = c.within;
  if ('limit_secs' in c) f.limitSecs = c.limit_secs;
  if ('max' in c) f.max = c.max;
  if ('at_most' in c) f.atMost = c.at_most;
  return f;
}

export function checkOf(f: RuleFields): QaCheck {
  const list = f.words
    .split('\n')
    .map((w) => w.trim())
    .filter(Boolean);
  switch (f.kind) {
    case 'forbidden_words':
      return { kind: f.kind, words: list };
    case 'greeting':
    case 'closing':
      return { kind: f.kind, phrases: list, within: f.within };
    case 'supervisor_request':
      return { kind: f.kind, phrases: list };
    case 'first_response':
    case 'response_time':
    case 'long_silence':
      return { kind: f.kind, limit_secs: f.limitSecs };
    case 'transfers':
      return { kind: f.kind, max: f.max };
    case 'low_csat':
      return { kind: f.kind, at_most: f.atMost };
    case 'wrap_up_missing':
      return { kind: f.kind };
  }
}

/** A short summary of a check's parameters for the rules table. */
export function summary(c: QaCheck): string {
  if ('words' in c) return c.words.join('、');
  if ('phrases' in c) return ('within' in c ? `${c.within}: ` : '') + c.phrases.join('、');
  if ('limit_secs' in c) return `${c.limit_secs} s`;
  if ('max' in c) return `> ${c.max}`;
  if ('at_most' in c) return `<= ${c.at_most}`;
  return '';
}

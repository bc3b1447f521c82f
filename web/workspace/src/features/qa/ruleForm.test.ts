import { describe, expect, it } from 'vitest';
import { checkOf, emptyFields, fieldsOf, KINDS, summary, usesOf } from './ruleForm';

describe('rule form', () => {
  it('round-trips every kind through the flat fields', () => {
    for (const kind of KINDS) {
      const f = { ...emptyFields(kind), words: ' 您好 \n\nhello\n', within: 3, limitSecs: 90, max: 1, atMost: 1 };
      const check = checkOf(f);
      expect(check.kind).toBe(kind);
      expect(checkOf(fieldsOf(check))).toEqual(check);
    }
  });

  it('keeps one trimmed word per line', () => {
    expect(checkOf({ ...emptyFields('forbidden_words'), words: ' 看着办 \n\n stupid' })).toEqual({ kind: 'forbidden_words', words: ['看着办', 'stupid'] });
    expect(summary({ kind: 'greeting', phrases: ['您好', 'hi'], within: 2 })).toBe('2: 您好、hi');
  });

  it('says which fields a kind uses', () => {
    expect(usesOf('wrap_up_missing')).toEqual({ words: false, within: false, limit: false, max: false, atMost: false });
    expect(usesOf('closing')).toMatchObject({ words: true, within: true });
  });
});

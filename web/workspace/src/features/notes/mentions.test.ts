import { describe, expect, it } from 'vitest';
import { mentionedIds } from './mentions';

describe('mentionedIds', () => {
  const li = { id: 3, name: '李娜 Li Na' };
  const zhang = { id: 4, name: '张伟 Zhang Wei' };

  it('keeps the picked colleagues still named in the text, once each', () => {
    expect(mentionedIds('@李娜 Li Na 和 @张伟 Zhang Wei 请看，@李娜 Li Na', [zhang, li, li])).toEqual([3, 4]);
  });

  it('drops a mention deleted from the text', () => {
    expect(mentionedIds('@张伟 请看', [zhang, li])).toEqual([]);
  });
});

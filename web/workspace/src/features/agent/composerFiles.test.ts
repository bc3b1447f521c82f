import { describe, expect, it } from 'vitest';
import { EMOJI, insertAt } from './emoji';
import { dragHasFiles, filesOf, namedForUpload } from './composerFiles';

function transfer(files: File[], items: { kind: string; file: File | null }[] = []) {
  return {
    files: files as unknown as FileList,
    items: items.map((i) => ({ kind: i.kind, getAsFile: () => i.file })) as unknown as DataTransferItemList,
  };
}

describe('composer files', () => {
  it('takes the files of a drop, or the file items of a clipboard paste', () => {
    const a = new File(['x'], 'a.pdf', { type: 'application/pdf' });
    expect(filesOf(transfer([a]))).toEqual([a]);
    const shot = new File(['png'], 'image.png', { type: 'image/png' });
    expect(filesOf(transfer([], [{ kind: 'string', file: null }, { kind: 'file', file: shot }]))).toEqual([shot]);
    expect(filesOf(transfer([], [{ kind: 'string', file: null }]))).toEqual([]);
    expect(filesOf(null)).toEqual([]);
  });

  it('knows a drag of files from a drag of text', () => {
    expect(dragHasFiles({ types: ['Files'] } as unknown as DataTransfer)).toBe(true);
    expect(dragHasFiles({ types: ['text/plain'] } as unknown as DataTransfer)).toBe(false);
  });

  it('names a pasted screenshot by time, keeping real names', () => {
    const at = new Date(2026, 10, 30, 9, 5, 7);
    expect(namedForUpload(new File(['p'], 'image.png', { type: 'image/png' }), at).name).toBe('pasted-20261130-090507.png');
    expect(namedForUpload(new File(['p'], '', { type: 'image/jpeg' }), at).name).toBe('pasted-20261130-090507.jpg');
    const real = new File(['p'], '发票.png', { type: 'image/png' });
    expect(namedForUpload(real, at)).toBe(real);
  });
});

describe('emoji', () => {
  it('inserts at the caret, replacing a selection', () => {
    expect(insertAt('您好！', 2, 2, '😊')).toEqual({ text: '您好😊！', caret: 4 });
    expect(insertAt('abc', 1, 2, '👍')).toEqual({ text: 'a👍c', caret: 3 });
    expect(insertAt('', 9, 9, '🙏')).toEqual({ text: '🙏', caret: 2 });
  });

  it('offers a curated set without duplicates', () => {
    expect(new Set(EMOJI).size).toBe(EMOJI.length);
    expect(EMOJI.length).toBeGreaterThan(20);
  });
});

import { describe, expect, it } from 'vitest';
import { applyFileCitations, FileCitationStream } from '../../../src/tools/file-search/file-citations.js';

const sources = [
  { file_id: 'file-a', filename: 'a.pdf' },
  { file_id: 'file-b', filename: 'b.md' },
];

describe('file citations', () => {
  it('strips markers with the blank before them and records where they were', () => {
    const { text, annotations } = applyFileCitations(
      'The robot runs 9 hours 【1】. Charging takes 2.5 hours【2†b.md】 on the dock [1, 2].',
      sources,
    );
    expect(text).toBe('The robot runs 9 hours. Charging takes 2.5 hours on the dock.');
    expect(annotations).toEqual([
      { type: 'file_citation', file_id: 'file-a', filename: 'a.pdf', index: 22 },
      { type: 'file_citation', file_id: 'file-b', filename: 'b.md', index: 48 },
      { type: 'file_citation', file_id: 'file-a', filename: 'a.pdf', index: 60 },
      { type: 'file_citation', file_id: 'file-b', filename: 'b.md', index: 60 },
    ]);
    expect(text.slice(0, 22)).toBe('The robot runs 9 hours');
  });

  it('leaves unknown numbers, code indexing and other brackets alone', () => {
    const input = 'Use items[1] and see [3] or 【9】 and [note] then [1]';
    const { text, annotations } = applyFileCitations(input, sources);
    expect(text).toBe('Use items[1] and see [3] or 【9】 and [note] then');
    expect(annotations).toEqual([
      { type: 'file_citation', file_id: 'file-a', filename: 'a.pdf', index: text.length },
    ]);
  });

  it('keeps a word after a marker apart from the one before', () => {
    expect(applyFileCitations('hours 【1】and more', sources).text).toBe('hours and more');
    expect(applyFileCitations('【2】 Leading', sources)).toEqual({
      text: ' Leading',
      annotations: [{ type: 'file_citation', file_id: 'file-b', filename: 'b.md', index: 0 }],
    });
  });

  it('gives the same result however the text is split into deltas', () => {
    const whole = 'First fact 【1】. Second fact [2]. Not a marker [x]. Done【1】';
    const expected = applyFileCitations(whole, sources);
    for (let size = 1; size <= 7; size++) {
      const stream = new FileCitationStream((n) => sources[n - 1]);
      let out = '';
      for (let i = 0; i < whole.length; i += size) out += stream.push(whole.slice(i, i + size));
      out += stream.end();
      expect(out, `deltas of ${size}`).toBe(expected.text);
      expect(stream.annotations, `deltas of ${size}`).toEqual(expected.annotations);
    }
  });

  it('holds back only what may still become a marker', () => {
    const stream = new FileCitationStream((n) => sources[n - 1]);
    expect(stream.push('Hello 【')).toBe('Hello');
    expect(stream.push('1')).toBe('');
    expect(stream.push('】 world [')).toBe(' world');
    expect(stream.push('abc')).toBe(' [abc');
    expect(stream.end()).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { applyCitations, CitationStream } from '../../../src/engine/citations/citation-stream.js';
import type { CitableSource } from '../../../src/tools/types.js';

const sources: CitableSource[] = [
  { type: 'file_citation', file_id: 'file-a', filename: 'a.pdf' },
  { type: 'file_citation', file_id: 'file-b', filename: 'b.md' },
];

describe('file citations', () => {
  it('strips markers with the blank before them and records where they were', () => {
    const { text, annotations } = applyCitations(
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
    const { text, annotations } = applyCitations(input, sources);
    expect(text).toBe('Use items[1] and see [3] or 【9】 and [note] then');
    expect(annotations).toEqual([
      { type: 'file_citation', file_id: 'file-a', filename: 'a.pdf', index: text.length },
    ]);
  });

  it('keeps a word after a marker apart from the one before', () => {
    expect(applyCitations('hours 【1】and more', sources).text).toBe('hours and more');
    expect(applyCitations('【2】 Leading', sources)).toEqual({
      text: ' Leading',
      annotations: [{ type: 'file_citation', file_id: 'file-b', filename: 'b.md', index: 0 }],
    });
  });

  it('gives the same result however the text is split into deltas', () => {
    const whole = 'First fact 【1】. Second fact [2]. Not a marker [x]. Done【1】';
    const expected = applyCitations(whole, sources);
    for (let size = 1; size <= 7; size++) {
      const stream = new CitationStream((n) => sources[n - 1]);
      let out = '';
      for (let i = 0; i < whole.length; i += size) out += stream.push(whole.slice(i, i + size));
      out += stream.end();
      expect(out, `deltas of ${size}`).toBe(expected.text);
      expect(stream.annotations, `deltas of ${size}`).toEqual(expected.annotations);
    }
  });

  it('holds back only what may still become a marker', () => {
    const stream = new CitationStream((n) => sources[n - 1]);
    expect(stream.push('Hello 【')).toBe('Hello');
    expect(stream.push('1')).toBe('');
    expect(stream.push('】 world [')).toBe(' world');
    expect(stream.push('abc')).toBe(' [abc');
    expect(stream.end()).toBe('');
  });

  it('writes a web page or a container file as a link and spans it', () => {
    const mixed: CitableSource[] = [
      { type: 'url_citation', url: 'https://www.example.com/a?x=1', title: 'Example A' },
      {
        type: 'container_file_citation',
        container_id: 'cntr_1',
        file_id: 'cfile_1',
        filename: 'plot.png',
        path: '/mnt/data/plot.png',
      },
      ...sources,
    ];
    const { text, annotations } = applyCitations(
      'Rain is likely 【1】. See the chart 【2】 and the memo 【3】.',
      mixed,
    );
    expect(text).toBe(
      'Rain is likely ([example.com](https://www.example.com/a?x=1)). See the chart ([plot.png](sandbox:/mnt/data/plot.png)) and the memo.',
    );
    const [url, file, memo] = annotations as Array<Record<string, unknown>>;
    expect(url).toEqual({
      type: 'url_citation',
      url: 'https://www.example.com/a?x=1',
      title: 'Example A',
      start_index: 16,
      end_index: 16 + '[example.com](https://www.example.com/a?x=1)'.length,
    });
    expect(text.slice(url!.start_index as number, url!.end_index as number)).toBe(
      '[example.com](https://www.example.com/a?x=1)',
    );
    expect(file).toMatchObject({ container_id: 'cntr_1', file_id: 'cfile_1', filename: 'plot.png' });
    expect(file).not.toHaveProperty('path');
    expect(text.slice(file!.start_index as number, file!.end_index as number)).toBe(
      '[plot.png](sandbox:/mnt/data/plot.png)',
    );
    expect(memo).toEqual({
      type: 'file_citation',
      file_id: 'file-a',
      filename: 'a.pdf',
      index: text.length - 1,
    });
  });

  it('streams links the same as a whole text', () => {
    const mixed: CitableSource[] = [{ type: 'url_citation', url: 'https://news.test/x', title: 'X' }];
    const whole = 'One 【1】 two [1].';
    const expected = applyCitations(whole, mixed);
    const stream = new CitationStream((n) => mixed[n - 1]);
    let out = '';
    for (const ch of whole) out += stream.push(ch);
    out += stream.end();
    expect(out).toBe(expected.text);
    expect(stream.annotations).toEqual(expected.annotations);
  });
});

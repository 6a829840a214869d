import { describe, expect, it } from 'vitest';
import { DocumentError } from '../../src/vector-stores/parsing/document-error.js';
import { parseDocument } from '../../src/vector-stores/parsing/parse-document.js';
import { fixture } from './retrieval-helpers.js';

const parse = (filename: string, bytes: Buffer | string, mediaType = 'application/octet-stream') =>
  parseDocument({ filename, mediaType, bytes: Buffer.from(bytes) });

describe('parseDocument', () => {
  it('reads PDF, DOCX, HTML, Markdown, CSV, JSON and source code', async () => {
    expect(await parse('k7-manual.pdf', fixture('k7-manual.pdf'))).toContain(
      'E42 means the lidar is obstructed',
    );
    const docx = await parse('security-policy.docx', fixture('security-policy.docx'));
    expect(docx).toContain('Passwords must be at least 14 characters long');
    const html = await parse('travel-policy.html', fixture('travel-policy.html'));
    expect(html).toContain('Hotel costs are covered up to 180 euros per night');
    expect(html).not.toContain('analytics');
    expect(html).not.toContain('font-family');
    expect(html).toMatch(/^Northwind Robotics Travel Policy\n/);
    expect(await parse('handbook.md', fixture('handbook.md'))).toContain('## Remote work');
    expect(await parse('pricing.csv', fixture('pricing.csv'))).toContain(
      'K7 extended warranty,NWR-K7-EXT,3900',
    );
    expect(await parse('faq.json', fixture('faq.json'))).toContain('Tampere, Finland');
    expect(await parse('main.py', 'def answer():\n    return 42\n')).toContain('return 42');
    // Without an extension, text is recognised by its bytes, a PDF by its signature.
    expect(await parse('NOTES', 'plain words\r\nnext line')).toBe('plain words\nnext line');
    expect(await parse('blob', fixture('k7-manual.pdf'))).toContain('350 kg');
  });

  it('refuses unsupported formats and corrupt files with the error code OpenAI uses', async () => {
    const failure = async (filename: string, bytes: Buffer | string) => {
      try {
        await parse(filename, bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(DocumentError);
        return { code: (error as DocumentError).code, message: (error as Error).message };
      }
      throw new Error(`${filename} parsed`);
    };
    expect((await failure('photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]))).code).toBe(
      'unsupported_file',
    );
    expect((await failure('data.bin', Buffer.from([0, 1, 2, 3, 255, 254]))).code).toBe('unsupported_file');
    const pdf = await failure('broken.pdf', '%PDF-1.4\n1 0 obj garbage');
    expect(pdf.code).toBe('invalid_file');
    expect(pdf.message).toMatch(/PDF could not be read/);
    expect((await failure('broken.docx', 'PK\u0003\u0004 not a zip')).code).toBe('invalid_file');
    expect((await failure('broken.json', '{"a": ')).code).toBe('invalid_file');
    expect((await failure('latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9]))).code).toBe('invalid_file');
    expect((await failure('empty.md', '   \n')).message).toMatch(/no text/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  CUSTOM_TOOL_SCHEMA,
  customToolDescription,
  unwrapCustomInput,
} from '../../../src/providers/shared/custom-tool.js';
import { mediaTypeFromName, parseDataUrl } from '../../../src/providers/shared/data-url.js';

describe('parseDataUrl', () => {
  it('reads base64 data URLs, with or without parameters', () => {
    expect(parseDataUrl('data:image/png;base64,iVBORw0KGgo=')).toEqual({
      mediaType: 'image/png',
      base64: 'iVBORw0KGgo=',
    });
    expect(parseDataUrl('data:text/plain;charset=utf-8;base64,aGk=')).toEqual({
      mediaType: 'text/plain',
      base64: 'aGk=',
    });
    expect(parseDataUrl('data:Application/PDF;base64,JVBERi0=')?.mediaType).toBe('application/pdf');
  });

  it('re-encodes percent-encoded data URLs and defaults the type to text/plain', () => {
    expect(parseDataUrl('data:,hello%20world')).toEqual({
      mediaType: 'text/plain',
      base64: Buffer.from('hello world').toString('base64'),
    });
    expect(parseDataUrl('data:text/plain,100%')?.base64).toBe(Buffer.from('100%').toString('base64'));
  });

  it('is undefined for other URLs', () => {
    expect(parseDataUrl('https://example.com/a.png')).toBeUndefined();
    expect(parseDataUrl('JVBERi0=')).toBeUndefined();
  });
});

describe('mediaTypeFromName', () => {
  it('reads the extension of URLs and file names', () => {
    expect(mediaTypeFromName('https://example.com/a/b.JPG?size=2', 'x')).toBe('image/jpeg');
    expect(mediaTypeFromName('report.pdf', 'x')).toBe('application/pdf');
    expect(mediaTypeFromName('https://example.com/image', 'image/jpeg')).toBe('image/jpeg');
    expect(mediaTypeFromName(undefined, 'application/pdf')).toBe('application/pdf');
  });
});

describe('custom tools as functions', () => {
  it('unwraps {input} arguments, whole or as JSON text', () => {
    expect(unwrapCustomInput({ input: 'ls -la' })).toBe('ls -la');
    expect(unwrapCustomInput('{"input":"echo hi"}')).toBe('echo hi');
    expect(unwrapCustomInput('not json')).toBe('not json');
    expect(unwrapCustomInput({ other: 1 })).toBe('{"other":1}');
  });

  it('describes the tool with its grammar', () => {
    expect(
      customToolDescription({
        description: 'Runs SQL',
        format: { type: 'grammar', definition: 'start: "SELECT"' },
      }),
    ).toBe('Runs SQL\n\nThe input must follow this grammar:\nstart: "SELECT"');
    expect(customToolDescription({})).toBeUndefined();
    expect(CUSTOM_TOOL_SCHEMA.required).toEqual(['input']);
  });
});

import { describe, expect, it } from 'vitest';
import { isContentType, isSupportedFormat, mediaTypeOf } from './content-type.ts';

describe('content types', () => {
  it('reduces a content type to its lower-case type/subtype', () => {
    expect(mediaTypeOf(' Text/HTML ; charset=utf-8')).toBe('text/html');
    expect(mediaTypeOf('text/plain')).toBe('text/plain');
  });

  it('recognises well-formed content types only', () => {
    expect(isContentType('text/plain')).toBe(true);
    expect(isContentType('application/im-iscomposing+xml; charset=utf-8')).toBe(true);
    expect(isContentType('plain')).toBe(false);
    expect(isContentType('text/')).toBe(false);
    expect(isContentType('text/plain/extra')).toBe(false);
    expect(isContentType(42)).toBe(false);
  });

  it('matches supported formats by type/subtype', () => {
    const formats = ['text/plain', 'Text/HTML'];
    expect(isSupportedFormat(formats, 'text/html; charset=utf-8')).toBe(true);
    expect(isSupportedFormat(formats, 'TEXT/PLAIN')).toBe(true);
    expect(isSupportedFormat(formats, 'image/png')).toBe(false);
    expect(isSupportedFormat([], 'text/plain')).toBe(false);
  });
});

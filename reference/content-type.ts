/**
 * Content types are compared the way MIME defines them: type and subtype ignore letter case,
 * and parameters such as `charset` do not change which format a body is in.
 */

const mediaTypePattern = /^[^\s/;]+\/[^\s/;]+$/;

/** `type/subtype` of `contentType`, lower-cased and without parameters. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/** True when `value` is a string naming a `type/subtype`, optionally followed by parameters. */
export function isContentType(value: unknown): value is string {
  return typeof value === 'string' && mediaTypePattern.test(mediaTypeOf(value));
}

/** True when `contentType` names one of `formats`. */
export function isSupportedFormat(formats: readonly string[], contentType: string): boolean {
  const wanted = mediaTypeOf(contentType);
  return formats.some((format) => mediaTypeOf(format) === wanted);
}

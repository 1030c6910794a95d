/**
 * Whether a body travels to the function as base64: content types the API lists in BinaryMediaTypes
 * (wildcards allowed), and any content type that is not text, so binary uploads survive locally.
 */
const TEXT_TYPES = [/^text\//, /^application\/(.+\+)?json$/, /^application\/(.+\+)?xml$/, /^application\/x-www-form-urlencoded$/, /^application\/(javascript|graphql|yaml|x-yaml)$/];

export function isBinaryMediaType(mediaType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (mediaType === undefined) return false;
  if (binaryMediaTypes.some((pattern) => mediaTypeMatches(pattern.toLowerCase(), mediaType))) return true;
  return !TEXT_TYPES.some((text) => text.test(mediaType));
}

function mediaTypeMatches(pattern: string, mediaType: string): boolean {
  const [patternType, patternSubtype] = pattern.split('/');
  const [type, subtype] = mediaType.split('/');
  return (patternType === '*' || patternType === type) && (patternSubtype === '*' || patternSubtype === subtype);
}

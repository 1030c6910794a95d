/** AWS IoT's rules for thing names and attributes (CreateThing API reference). */
const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const ATTRIBUTE_NAME = /^[a-zA-Z0-9_.,@/:#-]{1,128}$/;
const ATTRIBUTE_VALUE = /^[a-zA-Z0-9_.,@/:#=[\]-]{0,800}$/;
const MAX_ATTRIBUTES = 50;

export function isValidThingName(name: unknown): name is string {
  return typeof name === 'string' && THING_NAME.test(name);
}

/** A thing without a thing type holds at most three attributes; one with a type, fifty. */
export const MAX_ATTRIBUTES_WITHOUT_TYPE = 3;

/**
 * Returns a problem description, or undefined when AWS IoT would accept the attributes.
 * `maxAttributes` is 50 (a thing with a type) unless the caller knows the thing has none.
 */
export function attributeProblem(attributes: Record<string, unknown>, maxAttributes = MAX_ATTRIBUTES): string | undefined {
  const entries = Object.entries(attributes);
  if (entries.length > maxAttributes) return `at most ${maxAttributes} attributes are allowed`;
  for (const [name, value] of entries) {
    if (!ATTRIBUTE_NAME.test(name)) return `attribute name '${name}' must match ${ATTRIBUTE_NAME.source}`;
    if (typeof value !== 'string' || !ATTRIBUTE_VALUE.test(value)) {
      return `attribute '${name}' must be a string matching ${ATTRIBUTE_VALUE.source}`;
    }
  }
  return undefined;
}

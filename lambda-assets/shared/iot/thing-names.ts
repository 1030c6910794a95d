/** AWS IoT's rules for thing names and attributes (CreateThing API reference). */
const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const ATTRIBUTE_NAME = /^[a-zA-Z0-9_.,@/:#-]{1,128}$/;
const ATTRIBUTE_VALUE = /^[a-zA-Z0-9_.,@/:#=[\]-]{0,800}$/;
const MAX_ATTRIBUTES = 50;

export function isValidThingName(name: unknown): name is string {
  return typeof name === 'string' && THING_NAME.test(name);
}

/** Returns a problem description, or undefined when AWS IoT would accept the attributes. */
export function attributeProblem(attributes: Record<string, unknown>): string | undefined {
  const entries = Object.entries(attributes);
  if (entries.length > MAX_ATTRIBUTES) return `at most ${MAX_ATTRIBUTES} attributes are allowed`;
  for (const [name, value] of entries) {
    if (!ATTRIBUTE_NAME.test(name)) return `attribute name '${name}' must match ${ATTRIBUTE_NAME.source}`;
    if (typeof value !== 'string' || !ATTRIBUTE_VALUE.test(value)) {
      return `attribute '${name}' must be a string matching ${ATTRIBUTE_VALUE.source}`;
    }
  }
  return undefined;
}

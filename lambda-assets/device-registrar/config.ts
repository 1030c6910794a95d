/** The device registrar's settings, from the environment the RegistrationGateway construct sets. */
export interface ThingTypeConfig {
  /** The AWS IoT thing type (physical name) new things get; undefined: things of this type have no AWS thing type. */
  readonly thingTypeName?: string;
  /** The IoT policy attached to every certificate issued for this type. */
  readonly policyName: string;
  /** Attribute names a device may set (besides `version`, which every registration sets). */
  readonly attributes: readonly string[];
}

export interface RegistrarConfig {
  /** Type name (what requests and tokens say) -> its AWS IoT settings. */
  readonly thingTypes: ReadonlyMap<string, ThingTypeConfig>;
  /** The type a request that names none registers; undefined: every request must name one. */
  readonly defaultThingType?: string;
  readonly ledgerBucket: string;
  /** Key prefix of one-time token markers, no slashes at either end. */
  readonly ledgerPrefix: string;
}

const TYPE_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const ATTRIBUTE_NAME = /^[a-zA-Z0-9_.,@/:#-]{1,128}$/;

export function readConfig(env: NodeJS.ProcessEnv = process.env): RegistrarConfig {
  const thingTypes = parseThingTypes(env.THING_TYPES);
  const defaultThingType = env.DEFAULT_THING_TYPE === '' ? undefined : env.DEFAULT_THING_TYPE;
  if (defaultThingType !== undefined && !thingTypes.has(defaultThingType)) {
    throw new Error(`DEFAULT_THING_TYPE must be one of the THING_TYPES keys (${[...thingTypes.keys()].join(', ')}), got '${defaultThingType ?? ''}'`);
  }
  const ledgerBucket = env.TOKEN_LEDGER_BUCKET;
  if (!ledgerBucket) throw new Error('environment variable TOKEN_LEDGER_BUCKET is not set');
  const ledgerPrefix = (env.TOKEN_LEDGER_PREFIX ?? 'used-tokens').replace(/^\/+|\/+$/g, '');
  if (ledgerPrefix === '') throw new Error('TOKEN_LEDGER_PREFIX must not be empty');
  return { thingTypes, ...(defaultThingType === undefined ? {} : { defaultThingType }), ledgerBucket, ledgerPrefix };
}

function parseThingTypes(raw: string | undefined): Map<string, ThingTypeConfig> {
  const fail = (problem: string) => new Error(
    `THING_TYPES must be JSON {"<type>": {"thingTypeName": "...", "policyName": "...", "attributes": ["..."]}}: ${problem}`);
  if (!raw) throw fail('it is not set');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw fail('it is not JSON');
  }
  if (!isObject(parsed) || Object.keys(parsed).length === 0) throw fail('it must be a non-empty object');
  const types = new Map<string, ThingTypeConfig>();
  for (const [name, value] of Object.entries(parsed)) {
    if (!TYPE_NAME.test(name)) throw fail(`type name '${name}' must be 1-128 of [a-zA-Z0-9:_-]`);
    if (!isObject(value)) throw fail(`'${name}' must be an object`);
    const { thingTypeName, policyName, attributes = [] } = value;
    if (thingTypeName !== undefined && (typeof thingTypeName !== 'string' || !TYPE_NAME.test(thingTypeName))) {
      throw fail(`'${name}'.thingTypeName must be an AWS IoT thing type name`);
    }
    if (typeof policyName !== 'string' || !POLICY_NAME.test(policyName)) throw fail(`'${name}'.policyName must be an AWS IoT policy name`);
    if (!Array.isArray(attributes) || !attributes.every((a) => typeof a === 'string' && ATTRIBUTE_NAME.test(a) && a !== 'version')) {
      throw fail(`'${name}'.attributes must be an array of attribute names (not 'version', which every registration sets)`);
    }
    types.set(name, { ...(thingTypeName === undefined ? {} : { thingTypeName }), policyName, attributes: [...attributes] as string[] });
  }
  return types;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The CSR provisioner's settings, from the environment the CsrProvisioningApi construct sets. */
export interface ProvisionerConfig {
  /** The shared device policy (scoped to the thing by policy variables), attached to every new certificate. */
  readonly devicePolicyName: string;
  /** Thing types a request may name; undefined means any thing type that exists. */
  readonly allowedThingTypes?: readonly string[];
}

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

export function readConfig(env: NodeJS.ProcessEnv = process.env): ProvisionerConfig {
  const devicePolicyName = env.DEVICE_POLICY_NAME;
  if (!devicePolicyName) throw new Error('environment variable DEVICE_POLICY_NAME is not set');
  if (!POLICY_NAME.test(devicePolicyName)) {
    throw new Error(`DEVICE_POLICY_NAME must be an AWS IoT policy name (1-128 of [\\w+=,.@-]), got '${devicePolicyName}'`);
  }
  return { devicePolicyName, allowedThingTypes: allowedThingTypes(env.ALLOWED_THING_TYPES) };
}

function allowedThingTypes(raw: string | undefined): readonly string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`ALLOWED_THING_TYPES must be a JSON array of thing type names, got '${raw}'`);
  }
  if (!Array.isArray(parsed) || !parsed.every((name) => typeof name === 'string' && name !== '')) {
    throw new Error(`ALLOWED_THING_TYPES must be a JSON array of thing type names, got '${raw}'`);
  }
  return parsed.length === 0 ? undefined : Object.freeze([...parsed] as string[]);
}

/** The pre-provisioning hook's settings, from the environment the FleetProvision construct sets. */
export interface HookConfig {
  /** The template parameter the thing is named by. */
  readonly thingNameParameter: string;
  /** The parameters the template declares without a Default: a device must send each. */
  readonly requiredParameters: readonly string[];
  /** The user's verifier function, if there is one. */
  readonly verifierArn?: string;
  /** How long the verifier may take; the hook as a whole must answer AWS IoT within 5 s. */
  readonly verifierTimeoutMs: number;
}

const DEFAULT_THING_NAME_PARAMETER = 'SerialNumber';
const DEFAULT_VERIFIER_TIMEOUT_MS = 3500;
/** AWS IoT waits 5 s for the hook; the hook needs some of that for itself and its cold start. */
const MAX_VERIFIER_TIMEOUT_MS = 4500;

export function readConfig(env: NodeJS.ProcessEnv = process.env): HookConfig {
  return {
    thingNameParameter: env.THING_NAME_PARAMETER || DEFAULT_THING_NAME_PARAMETER,
    requiredParameters: requiredParameters(env.REQUIRED_PARAMETERS),
    verifierArn: env.VERIFIER_ARN || undefined,
    verifierTimeoutMs: verifierTimeoutMs(env.VERIFIER_TIMEOUT_MS),
  };
}

function requiredParameters(raw: string | undefined): string[] {
  if (raw === undefined || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((name) => typeof name === 'string' && name !== '')) {
    throw new Error(`REQUIRED_PARAMETERS must be a JSON array of parameter names, got '${raw}'`);
  }
  return parsed as string[];
}

function verifierTimeoutMs(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_VERIFIER_TIMEOUT_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_VERIFIER_TIMEOUT_MS) {
    throw new Error(`VERIFIER_TIMEOUT_MS must be a whole number of milliseconds from 1 to ${MAX_VERIFIER_TIMEOUT_MS}, got '${raw}'`);
  }
  return value;
}

/** The function name in a Lambda ARN (what logs and errors call the verifier); the input itself otherwise. */
export function functionNameOf(functionArn: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(functionArn);
  return match ? match[1] : functionArn;
}

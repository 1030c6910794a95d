import { isValidThingName } from '../shared/iot/thing-names';

/** What the template expects of the parameters a device sends. */
export interface ParameterRules {
  /** The parameter the template names the thing by. */
  readonly thingNameParameter: string;
  /** The parameters the template declares without a Default. */
  readonly requiredParameters: readonly string[];
}

/**
 * Why AWS IoT would fail to provision with these parameters, or undefined when they are fine.
 * Checked on what the device sent and again after the verifier's overrides, so a device is
 * turned away by the hook, with a reason in the log, rather than by the template half-way.
 * Values are never quoted: they are the device's to choose and land in logs.
 */
export function parameterProblem(parameters: Readonly<Record<string, string>>, rules: ParameterRules): string | undefined {
  for (const name of rules.requiredParameters) {
    const value = valueOf(parameters, name);
    if (value === undefined || value.trim() === '') return `'${name}' is required (the template gives it no Default) and must be a non-empty string`;
  }
  const thingName = valueOf(parameters, rules.thingNameParameter);
  if (thingName !== undefined && !isValidThingName(thingName as unknown)) {
    return `'${rules.thingNameParameter}' names the thing, so it must be 1-128 characters of [a-zA-Z0-9:_-] (${thingName.length} characters given)`;
  }
  return undefined;
}

/** The parameter's own value: a name such as 'constructor' must not find Object's. */
export function valueOf(parameters: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(parameters, name) ? parameters[name] : undefined;
}

import { VerifierContractError, VerifierOutput } from './contract';
import { attributeProblem, isValidThingName } from '../iot/thing-names';

/**
 * Checks a verifier's answer against the contract. A malformed answer is an
 * error (retried, then dead-lettered), not a rejection: a verifier bug must
 * not revoke devices, and must not admit them either.
 */
export function parseVerifierOutput(verifierName: string, payload: unknown): VerifierOutput {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new VerifierContractError(verifierName, 'the answer must be a JSON object such as {"verified": true}');
  }
  const answer = payload as Record<string, unknown>;
  if (typeof answer.verified !== 'boolean') {
    throw new VerifierContractError(verifierName, '"verified" must be a boolean');
  }
  if (answer.thingName !== undefined && !isValidThingName(answer.thingName)) {
    throw new VerifierContractError(verifierName, '"thingName" must be 1-128 characters of [a-zA-Z0-9:_-]');
  }
  if (answer.attributes !== undefined) {
    if (typeof answer.attributes !== 'object' || answer.attributes === null || Array.isArray(answer.attributes)) {
      throw new VerifierContractError(verifierName, '"attributes" must be an object of strings');
    }
    const problem = attributeProblem(answer.attributes as Record<string, unknown>);
    if (problem) throw new VerifierContractError(verifierName, `"attributes": ${problem}`);
  }
  if (answer.reason !== undefined && typeof answer.reason !== 'string') {
    throw new VerifierContractError(verifierName, '"reason" must be a string');
  }
  if (answer.parameterOverrides !== undefined) {
    const problem = parameterOverridesProblem(answer.parameterOverrides);
    if (problem) throw new VerifierContractError(verifierName, `"parameterOverrides" ${problem}`);
  }
  return {
    verified: answer.verified,
    thingName: answer.thingName as string | undefined,
    attributes: answer.attributes as Record<string, string> | undefined,
    reason: answer.reason as string | undefined,
    parameterOverrides: answer.parameterOverrides as Record<string, string> | undefined,
  };
}

/** Template parameters are named by non-empty strings and carry strings (AWS IoT passes nothing else). */
function parameterOverridesProblem(overrides: unknown): string | undefined {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) return 'must be an object of strings';
  for (const [name, value] of Object.entries(overrides)) {
    if (name === '') return 'must not name an empty parameter';
    if (typeof value !== 'string') return `must be an object of strings: '${name}' is ${value === null ? 'null' : typeof value}`;
  }
  return undefined;
}

import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { VerifierContractError, VerifierInput, VerifierOutput } from './contract';
import { parseVerifierOutput } from './parse-output';

export type VerifyDevice = (verifierName: string, input: VerifierInput) => Promise<VerifierOutput>;

/** The environment variable that maps verifier names to function ARNs (a JSON object). */
export const VERIFIERS_ENV = 'VERIFIER_ARNS';

export function verifierArnsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const raw = env[VERIFIERS_ENV];
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${VERIFIERS_ENV} must be a JSON object of verifier name to function ARN`);
  }
  return parsed as Record<string, string>;
}

/** Calls a named verifier Lambda synchronously and checks its answer against the contract. */
export function lambdaVerifier(lambda: LambdaClient, arnsByName: Record<string, string>): VerifyDevice {
  return async (verifierName, input) => {
    const functionArn = arnsByName[verifierName];
    if (!functionArn) {
      // The CA names a verifier this stack no longer has: never admit the device by default.
      throw new VerifierContractError(verifierName, 'no verifier of that name is configured on this construct');
    }
    const result = await lambda.send(new InvokeCommand({
      FunctionName: functionArn,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(JSON.stringify(input)),
    }));
    const text = result.Payload ? Buffer.from(result.Payload).toString('utf8') : '';
    if (result.FunctionError) {
      throw new VerifierContractError(verifierName, `the function failed (${result.FunctionError}): ${text.slice(0, 200)}`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      throw new VerifierContractError(verifierName, 'the answer is not JSON');
    }
    return parseVerifierOutput(verifierName, payload);
  };
}

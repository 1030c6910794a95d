import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { VerifierContractError, VerifierInput, VerifierOutput, VerifierTimeoutError } from './contract';
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
    return invokeVerifier(lambda, { verifierName, functionArn }, input);
  };
}

export interface VerifierTarget {
  /** How errors and logs name the verifier. */
  readonly verifierName: string;
  readonly functionArn: string;
  /**
   * Give up after this long: the invocation is aborted and a VerifierTimeoutError thrown, so
   * a caller with a deadline of its own (a pre-provisioning hook has 5 s) still answers.
   * @default - no limit but the SDK's
   */
  readonly timeoutMs?: number;
}

/** Invokes a verifier function (RequestResponse) with the contract input and checks its answer. */
export async function invokeVerifier(lambda: LambdaClient, target: VerifierTarget, input: VerifierInput): Promise<VerifierOutput> {
  const { verifierName, functionArn, timeoutMs } = target;
  const command = new InvokeCommand({
    FunctionName: functionArn,
    InvocationType: 'RequestResponse',
    Payload: Buffer.from(JSON.stringify(input)),
  });
  const result = timeoutMs === undefined
    ? await lambda.send(command)
    : await withDeadline(verifierName, timeoutMs, (abortSignal) => lambda.send(command, { abortSignal }));
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
}

/**
 * Runs `call` with an abort signal that fires after `timeoutMs`. The deadline does not rely on
 * the call honouring the signal: it rejects on time whatever the call does.
 */
async function withDeadline<T>(verifierName: string, timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new VerifierTimeoutError(verifierName, timeoutMs));
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

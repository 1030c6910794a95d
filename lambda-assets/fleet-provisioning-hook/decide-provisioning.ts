import { PreProvisioningHookEvent } from './hook-event';
import { parameterProblem, ParameterRules, valueOf } from './parameter-rules';
import { describeError } from '../shared/logging/logger';
import { inspectCertificate, PkiError } from '../shared/pki';
import { VerifierInput, VerifierOutput } from '../shared/verifier/contract';

/** Asks the user's verifier about a device; rejects on a failure, a broken contract or a timeout. */
export type VerifyProvisioning = (input: VerifierInput) => Promise<VerifierOutput>;

export interface HookDeps {
  readonly rules: ParameterRules;
  /** The user's verifier; without one, valid parameters are enough. */
  readonly verify?: VerifyProvisioning;
}

export type ProvisioningDecision =
  | {
    readonly allow: true;
    /** What the verifier changes in the device's parameters ({} for nothing). */
    readonly parameterOverrides: Record<string, string>;
    /** The thing-name parameter after the overrides; undefined when the template's Default names the thing. */
    readonly thingName?: string;
  }
  | {
    readonly allow: false;
    /** 'rejected': the device or the verifier said no; 'failed': the verifier could not answer. */
    readonly kind: 'rejected' | 'failed';
    readonly reason: string;
  };

/**
 * Decides one RegisterThing request: the device's parameters must suit the template, then the
 * verifier (if any) must say yes, and its parameter overrides must still suit the template.
 * Every doubt denies: AWS IoT provisions only on an explicit yes.
 */
export async function decideProvisioning(deps: HookDeps, event: PreProvisioningHookEvent): Promise<ProvisioningDecision> {
  const { rules } = deps;
  const problem = parameterProblem(event.parameters, rules);
  if (problem) return reject(`parameters: ${problem}`);
  if (!deps.verify) return allow(rules, event.parameters, {});

  const input = verifierInput(event);
  if (typeof input === 'string') return reject(input);
  let verdict: VerifierOutput;
  try {
    verdict = await deps.verify(input);
  } catch (error) {
    const { errorName, errorMessage } = describeError(error);
    return { allow: false, kind: 'failed', reason: `the verifier failed (${errorName}): ${errorMessage}` };
  }
  if (verdict.verified !== true) return reject(`the verifier rejected the device: ${verdict.reason ?? 'no reason given'}`);

  const overrides = verdict.parameterOverrides ?? {};
  const merged = { ...event.parameters, ...overrides };
  const overrideProblem = parameterProblem(merged, rules);
  if (overrideProblem) return { allow: false, kind: 'failed', reason: `the verifier's parameterOverrides break the template: ${overrideProblem}` };
  return allow(rules, merged, overrides);
}

/**
 * The verifier contract's input: the device's new certificate (issued by AWS IoT's own CA, so
 * no caCertificateId) and the RegisterThing request. A certificate that does not parse, or is
 * not the one certificateId names, is not judged at all.
 */
function verifierInput(event: PreProvisioningHookEvent): VerifierInput | string {
  let info;
  try {
    info = inspectCertificate(event.certificatePem);
  } catch (error) {
    if (error instanceof PkiError) return `certificatePem: ${error.message}`;
    throw error;
  }
  if (info.certificateId !== event.certificateId) return 'certificatePem is not the certificate that certificateId names';
  return {
    certificateId: event.certificateId,
    certificatePem: event.certificatePem,
    subject: info.subject,
    serialNumber: info.serialNumber,
    provisioning: {
      templateArn: event.templateArn,
      claimCertificateId: event.claimCertificateId,
      clientId: event.clientId,
      parameters: event.parameters,
    },
  };
}

function allow(
  rules: ParameterRules,
  parameters: Readonly<Record<string, string>>,
  parameterOverrides: Record<string, string>,
): ProvisioningDecision {
  return { allow: true, parameterOverrides, thingName: valueOf(parameters, rules.thingNameParameter) };
}

function reject(reason: string): ProvisioningDecision {
  return { allow: false, kind: 'rejected', reason };
}

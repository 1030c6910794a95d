import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { functionNameOf, readConfig } from './config';
import { decideProvisioning, HookDeps } from './decide-provisioning';
import { InvalidHookEventError, parseHookEvent, PreProvisioningHookAnswer } from './hook-event';
import { createLogger, describeError } from '../shared/logging/logger';
import { invokeVerifier } from '../shared/verifier/invoke-verifier';

/**
 * The pre-provisioning hook of a fleet provisioning template: wiring only; the decision is in
 * decide-provisioning.ts. It never throws: whatever goes wrong, it answers a logged deny.
 */
const config = readConfig();
const { verifierArn } = config;
const lambda = new LambdaClient({});
const deps: HookDeps = {
  rules: config,
  verify: verifierArn
    ? (input) => invokeVerifier(lambda, {
      verifierName: functionNameOf(verifierArn),
      functionArn: verifierArn,
      timeoutMs: config.verifierTimeoutMs,
    }, input)
    : undefined,
};
const rootLogger = createLogger({ function: 'fleet-provisioning-hook' });
const DENY: PreProvisioningHookAnswer = { allowProvisioning: false };

export async function handler(event: unknown, context?: Context): Promise<PreProvisioningHookAnswer> {
  const logger = rootLogger.child({ requestId: context?.awsRequestId });
  try {
    const request = parseHookEvent(event);
    const decision = await decideProvisioning(deps, request);
    const fields = {
      certificateId: request.certificateId,
      claimCertificateId: request.claimCertificateId,
      templateArn: request.templateArn,
      clientId: request.clientId,
    };
    if (decision.allow) {
      logger.info('provisioning allowed', {
        ...fields,
        thingName: decision.thingName ?? null,
        overriddenParameters: Object.keys(decision.parameterOverrides),
      });
      return { allowProvisioning: true, parameterOverrides: decision.parameterOverrides };
    }
    if (decision.kind === 'failed') logger.error('provisioning denied', { ...fields, reason: decision.reason });
    else logger.warn('provisioning denied', { ...fields, reason: decision.reason });
    return DENY;
  } catch (error) {
    if (error instanceof InvalidHookEventError) {
      logger.warn('provisioning denied', { reason: `malformed hook event: ${error.message}` });
    } else {
      logger.error('provisioning denied', { reason: 'the hook failed', ...describeError(error) });
    }
    return DENY;
  }
}

import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CertificateDescription,
  DescribeCertificateCommand,
  IoTClient,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { LookupCa } from './ca-ownership';
import { KeyedLock } from './keyed-lock';
import { CertificateRegisteredEvent } from './registered-event';
import { claimThing } from './thing-binding';
import { isNotFound } from '../shared/iot/aws-errors';
import { isValidThingName } from '../shared/iot/thing-names';
import { Logger } from '../shared/logging/logger';
import { inspectCertificate } from '../shared/pki';
import { VerifierOutput } from '../shared/verifier/contract';
import { VerifyDevice } from '../shared/verifier/invoke-verifier';

export interface ActivatorDeps {
  readonly iot: IoTClient;
  readonly lookupCa: LookupCa;
  readonly verify: VerifyDevice;
  /** The shared device policy, attached to every activated certificate. */
  readonly policyName: string;
  readonly logger: Logger;
  /**
   * Claims of one thing name take turns in this instance: two certificates asking for the same name at
   * once would both find the thing free. (Instances do not share it: see claimThing for what remains.)
   */
  readonly thingClaims?: KeyedLock;
}

export type ActivationOutcome =
  | { readonly outcome: 'activated'; readonly thingName: string }
  | { readonly outcome: 'rejected'; readonly reason: string }
  /** `settled`: the certificate is no longer PENDING_ACTIVATION, so a repeat of the event has nothing to do either. */
  | { readonly outcome: 'ignored'; readonly reason: string; readonly settled: boolean };

/** True when a repeat of the event can be ignored without asking AWS IoT again (see SettledCertificates). */
export function isSettled(result: ActivationOutcome): boolean {
  return result.outcome !== 'ignored' || result.settled;
}

/**
 * Activates one just-in-time registered certificate. Every step tolerates a
 * repeat, and ACTIVE is set last, so a duplicate event or a retry after a crash
 * at any step converges on the same end state with nothing created twice.
 */
export async function activateDevice(deps: ActivatorDeps, event: CertificateRegisteredEvent): Promise<ActivationOutcome> {
  const { iot } = deps;
  const ca = await deps.lookupCa(event.caCertificateId);
  if (!ca.owned) return { outcome: 'ignored', reason: 'the CA was not registered by this construct', settled: false };

  const certificate = await describeCertificate(iot, event.certificateId);
  if (!certificate) return { outcome: 'ignored', reason: 'the certificate no longer exists', settled: false };
  if (!certificate.certificateArn || !certificate.certificatePem) throw new Error('DescribeCertificate returned no certificate');
  if (certificate.caCertificateId && certificate.caCertificateId !== event.caCertificateId) {
    return { outcome: 'ignored', reason: 'the certificate was not issued by the CA named in the event', settled: false };
  }
  if (certificate.status !== 'PENDING_ACTIVATION') {
    // ACTIVE is only ever set last, so ACTIVE means a previous run finished; REVOKED
    // or INACTIVE are decisions (ours or an operator's) that a repeated event must not undo.
    return { outcome: 'ignored', reason: `the certificate is ${certificate.status}`, settled: true };
  }

  const info = inspectCertificate(certificate.certificatePem);
  const verdict: VerifierOutput = ca.verifierName
    ? await deps.verify(ca.verifierName, {
      certificateId: event.certificateId,
      caCertificateId: event.caCertificateId,
      certificatePem: certificate.certificatePem,
      subject: info.subject,
      serialNumber: info.serialNumber,
    })
    : { verified: true };
  if (verdict.verified !== true) {
    return revoke(deps, event.certificateId, `verifier '${ca.verifierName}' rejected the device: ${verdict.reason ?? 'no reason given'}`);
  }

  const thingName = chooseThingName(verdict.thingName, info.subject.commonName, event.certificateId);
  const certificateArn = certificate.certificateArn;
  const bind = () => bindAndActivate(deps, event.certificateId, certificateArn, thingName, verdict.attributes);
  return deps.thingClaims ? deps.thingClaims.run(thingName, bind) : bind();
}

/** Thing, policy, attachment, then ACTIVE: the steps after the verdict, each one safe to repeat. */
async function bindAndActivate(
  deps: ActivatorDeps,
  certificateId: string,
  certificateArn: string,
  thingName: string,
  attributes: Record<string, string> | undefined,
): Promise<ActivationOutcome> {
  const { iot, logger } = deps;
  const binding = await claimThing(iot, thingName, attributes, certificateArn);
  if (binding === 'taken') {
    return revoke(deps, certificateId, `thing '${thingName}' already belongs to another certificate`);
  }
  await iot.send(new AttachPolicyCommand({ policyName: deps.policyName, target: certificateArn }));
  await iot.send(new AttachThingPrincipalCommand({
    thingName,
    principal: certificateArn,
    // The certificate may stand for this one thing only.
    thingPrincipalType: 'EXCLUSIVE_THING',
  }));
  await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'ACTIVE' }));
  logger.info('device activated', { certificateId, thingName });
  return { outcome: 'activated', thingName };
}

/** The verifier's choice, else the CN when it is a valid thing name, else the certificate id. */
export function chooseThingName(fromVerifier: string | undefined, commonName: string | undefined, certificateId: string): string {
  if (fromVerifier) return fromVerifier;
  if (isValidThingName(commonName)) return commonName;
  return certificateId;
}

async function describeCertificate(iot: IoTClient, certificateId: string): Promise<CertificateDescription | undefined> {
  try {
    const described = await iot.send(new DescribeCertificateCommand({ certificateId }));
    return described.certificateDescription;
  } catch (error) {
    // Deleted since it registered (by an operator): there is no device left to activate.
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function revoke(deps: ActivatorDeps, certificateId: string, reason: string): Promise<ActivationOutcome> {
  await deps.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'REVOKED' }));
  deps.logger.warn('device rejected; certificate revoked', { certificateId, reason });
  return { outcome: 'rejected', reason };
}

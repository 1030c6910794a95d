import {
  AttachPolicyCommand,
  CertificateDescription,
  CreateKeysAndCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  DetachPolicyCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { ClaimProperties } from './resource-event';
import { isNotFound } from '../shared/iot/aws-errors';
import { describeError, Logger } from '../shared/logging/logger';
import { CLAIM_FILES, ClaimVault } from '../shared/vault/claim-vault';

export interface IssuerDeps {
  readonly iot: IoTClient;
  readonly vault: ClaimVault;
  readonly logger: Logger;
}

/** What the custom resource returns to CloudFormation (GetAtt reads Data). */
export interface ClaimResource {
  readonly PhysicalResourceId: string;
  readonly Data?: ClaimData;
}

export interface ClaimData {
  readonly CertificateId: string;
  readonly CertificateArn: string;
  /** The vault object holding the claim certificate (PEM). */
  readonly CertificateObjectKey: string;
  /** The vault object holding the claim's private key (PEM); the key itself never leaves the vault here. */
  readonly PrivateKeyObjectKey: string;
}

const CERTIFICATE_ID = /^[0-9a-f]{64}$/;

/**
 * Creates the claim certificate devices connect with before they have their own: AWS IoT makes
 * the key pair and certificate (ACTIVE), the vault keeps both, and the claim policy is attached.
 * If a step after the certificate exists fails, everything is undone before the error goes on,
 * so a failed Create leaves nothing behind.
 */
export async function createClaim(deps: IssuerDeps, properties: ClaimProperties): Promise<ClaimResource> {
  const { iot, vault, logger } = deps;
  const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const { certificateId, certificateArn, certificatePem } = created;
  if (!certificateId) throw new Error('CreateKeysAndCertificate returned no certificate id');
  try {
    if (!certificateArn || !certificatePem || !created.keyPair?.PrivateKey) {
      throw new Error('CreateKeysAndCertificate returned no certificate ARN, certificate or private key');
    }
    await vault.putClaim(certificateId, { certificatePem, privateKeyPem: created.keyPair.PrivateKey });
    await iot.send(new AttachPolicyCommand({ policyName: properties.claimPolicyName, target: certificateArn }));
  } catch (error) {
    await undoCreate(deps, certificateId, error);
    throw error;
  }
  logger.info('claim certificate created', { certificateId, claimPolicyName: properties.claimPolicyName, templateName: properties.templateName ?? null });
  return { PhysicalResourceId: certificateId, Data: claimData(vault, certificateId, certificateArn) };
}

/**
 * Keeps the certificate (devices may already carry it); a changed claim policy is attached
 * before the old one is detached, so the claim never holds neither.
 */
export async function updateClaim(
  deps: IssuerDeps,
  physicalResourceId: string,
  properties: ClaimProperties,
  oldProperties: Partial<ClaimProperties>,
): Promise<ClaimResource> {
  const { iot, vault, logger } = deps;
  if (!CERTIFICATE_ID.test(physicalResourceId)) {
    throw new Error(`the resource's physical id '${physicalResourceId}' is not a claim certificate id, so there is no claim to update`);
  }
  const certificate = await describeCertificate(iot, physicalResourceId);
  if (!certificate?.certificateArn) {
    throw new Error(`claim certificate ${physicalResourceId} no longer exists in AWS IoT; replace the resource to issue a new claim`);
  }
  const target = certificate.certificateArn;
  const { claimPolicyName } = properties;
  const oldPolicyName = oldProperties.claimPolicyName;
  if (claimPolicyName !== oldPolicyName) {
    await iot.send(new AttachPolicyCommand({ policyName: claimPolicyName, target }));
    if (oldPolicyName) await ignoringNotFound(() => iot.send(new DetachPolicyCommand({ policyName: oldPolicyName, target })));
    logger.info('claim policy replaced', { certificateId: physicalResourceId, claimPolicyName, oldClaimPolicyName: oldPolicyName ?? null });
  } else {
    logger.info('claim certificate unchanged', { certificateId: physicalResourceId, claimPolicyName, templateName: properties.templateName ?? null });
  }
  return { PhysicalResourceId: physicalResourceId, Data: claimData(vault, physicalResourceId, target) };
}

/**
 * Retires the claim: policies detached, certificate INACTIVE then deleted, vault files removed.
 * Every step tolerates what is already gone, so a repeated Delete succeeds; a physical id that
 * is no certificate id (a Create that failed before it made one) has nothing to delete.
 */
export async function deleteClaim(deps: IssuerDeps, physicalResourceId: string): Promise<ClaimResource> {
  if (!CERTIFICATE_ID.test(physicalResourceId)) {
    deps.logger.info('nothing to delete', { physicalResourceId, reason: 'the physical id is not a claim certificate id' });
    return { PhysicalResourceId: physicalResourceId };
  }
  const outcome = await retireClaim(deps, physicalResourceId);
  deps.logger.info('claim certificate deleted', { certificateId: physicalResourceId, ...outcome });
  return { PhysicalResourceId: physicalResourceId };
}

interface RetireOutcome {
  /** False when AWS IoT no longer had the certificate. */
  readonly certificateFound: boolean;
  readonly detachedPolicies: readonly string[];
}

async function retireClaim(deps: IssuerDeps, certificateId: string): Promise<RetireOutcome> {
  const { iot, vault } = deps;
  const certificate = await describeCertificate(iot, certificateId);
  const detachedPolicies: string[] = [];
  if (certificate?.certificateArn) {
    const target = certificate.certificateArn;
    for (const policyName of await attachedPolicies(iot, target)) {
      await ignoringNotFound(() => iot.send(new DetachPolicyCommand({ policyName, target })));
      detachedPolicies.push(policyName);
    }
    // AWS IoT deletes no ACTIVE certificate; INACTIVE and REVOKED ones can go as they are.
    if (certificate.status !== 'INACTIVE' && certificate.status !== 'REVOKED') {
      await ignoringNotFound(() => iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' })));
    }
    await ignoringNotFound(() => iot.send(new DeleteCertificateCommand({ certificateId })));
  }
  await vault.removeClaim(certificateId);
  return { certificateFound: certificate !== undefined, detachedPolicies };
}

/** A failing undo is logged with what may be left, never allowed to hide why the Create failed. */
async function undoCreate(deps: IssuerDeps, certificateId: string, cause: unknown): Promise<void> {
  try {
    await retireClaim(deps, certificateId);
    deps.logger.warn('claim certificate creation failed; undone', { certificateId, ...describeError(cause) });
  } catch (undoError) {
    const { errorName, errorMessage } = describeError(undoError);
    deps.logger.error('claim certificate creation failed and could not be undone', {
      certificateId,
      ...describeError(cause),
      undoErrorName: errorName,
      undoErrorMessage: errorMessage,
      leftBehind: `certificate ${certificateId} and vault files ${Object.values(CLAIM_FILES).join(', ')} (if written)`,
    });
  }
}

function claimData(vault: ClaimVault, certificateId: string, certificateArn: string): ClaimData {
  return {
    CertificateId: certificateId,
    CertificateArn: certificateArn,
    CertificateObjectKey: vault.objectKey(certificateId, CLAIM_FILES.certificate),
    PrivateKeyObjectKey: vault.objectKey(certificateId, CLAIM_FILES.privateKey),
  };
}

async function describeCertificate(iot: IoTClient, certificateId: string): Promise<CertificateDescription | undefined> {
  try {
    return (await iot.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function attachedPolicies(iot: IoTClient, target: string): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await iot.send(new ListAttachedPoliciesCommand({ target, marker }));
      for (const policy of page.policies ?? []) if (policy.policyName) names.push(policy.policyName);
      marker = page.nextMarker;
    } while (marker);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  return names;
}

async function ignoringNotFound(step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

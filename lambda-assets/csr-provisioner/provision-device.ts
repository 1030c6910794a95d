import { IoTClient, RegisterThingCommand, UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { activeCertificatesOf, ActiveCertificate, checkThingGroups, checkThingType } from './registry';
import type { ProvisionRequest } from './request';
import { buildRegistration } from './template';
import { ClientError } from '../shared/http/client-error';
import { AMAZON_ROOT_CA_PEMS } from '../shared/iot/amazon-root-cas';
import { isAwsError, isNotFound } from '../shared/iot/aws-errors';
import { describeError, Logger } from '../shared/logging/logger';
import { certificateIdOf, certifiesKey } from '../shared/pki';

export interface ProvisionerDeps {
  readonly iot: IoTClient;
  readonly devicePolicyName: string;
  /** Thing types a request may name; undefined: any that exists. */
  readonly allowedThingTypes?: readonly string[];
  /** The account's ATS data endpoint (cached by the caller). */
  readonly dataEndpoint: () => Promise<string>;
  readonly logger: Logger;
}

/** The 200 answer of POST /provision/device. */
export interface ProvisionedDevice {
  readonly ThingName: string;
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly endpointAddress: string;
  readonly rootCaPems: typeof AMAZON_ROOT_CA_PEMS;
  /** With `rotate: true`: the certificates set INACTIVE (possibly none). */
  readonly rotatedCertificateIds?: string[];
}

/** The 500 answer when the device was provisioned but its old certificates could not all be set INACTIVE. */
export interface IncompleteRotation extends ProvisionedDevice {
  readonly error: { readonly code: 'RotationIncomplete'; readonly message: string };
  readonly stillActiveCertificateIds: string[];
}

export type ProvisionOutcome =
  | { readonly statusCode: 200; readonly body: ProvisionedDevice }
  | { readonly statusCode: 500; readonly body: IncompleteRotation };

/**
 * Provisions a thing and an AWS IoT certificate for the CSR. Everything is read and checked
 * first (thing type, groups, the thing's certificates, the endpoint), so a refusal creates
 * nothing. A thing that already has an ACTIVE certificate gets a second one only with
 * `rotate: true`, and the old ones are set INACTIVE only once the new one is ACTIVE and attached.
 *
 * A repeated request (same thing, a CSR for the key an ACTIVE certificate of the thing already
 * certifies: an answer lost on the way, a factory line restarted) gets that certificate again and
 * creates nothing; with `rotate: true` it also finishes a rotation an earlier call left incomplete.
 */
export async function provisionDevice(deps: ProvisionerDeps, request: ProvisionRequest): Promise<ProvisionOutcome> {
  const { iot, logger } = deps;
  const { thingName } = request;
  await checkThingType(iot, request.thingTypeName, deps.allowedThingTypes);
  await checkThingGroups(iot, request.thingGroups);
  const { thingExists, active } = await activeCertificatesOf(iot, thingName);
  // Asked before anything is created: a failure afterwards must not cost the device its certificate.
  const endpointAddress = await deps.dataEndpoint();

  const replayed = await findAsync(active, (certificate) => certifiesKey(certificate.certificatePem, request.csr.publicKey));
  if (replayed) {
    logger.info('certificate replayed', { thingName, certificateId: replayed.certificateId, reason: 'an ACTIVE certificate of the thing certifies the CSR key' });
    const device = answer(request, replayed, endpointAddress);
    if (!request.rotate) return { statusCode: 200, body: device };
    return deactivate(deps, device, active.filter((certificate) => certificate !== replayed));
  }

  if (active.length > 0 && !request.rotate) {
    const existingCertificateId = active[0].certificateId;
    throw new ClientError(409, 'ThingAlreadyProvisioned',
      `ThingName: thing '${thingName}' already has an ACTIVE certificate (${existingCertificateId}); `
      + 'send rotate: true to replace it (it becomes INACTIVE once the new one is ACTIVE)',
      { existingCertificateId });
  }

  const issued = await register(deps, request);
  logger.info('device provisioned', {
    thingName,
    certificateId: issued.certificateId,
    thingCreated: !thingExists,
    keyDescription: request.csr.keyDescription,
    thingTypeName: request.thingTypeName,
    thingGroups: request.thingGroups,
    rotate: request.rotate,
  });
  const device = answer(request, issued, endpointAddress);
  return request.rotate ? deactivate(deps, device, active) : { statusCode: 200, body: device };
}

async function register(deps: ProvisionerDeps, request: ProvisionRequest): Promise<ActiveCertificate> {
  const { templateBody, parameters } = buildRegistration(request, deps.devicePolicyName);
  let result;
  try {
    result = await deps.iot.send(new RegisterThingCommand({ templateBody, parameters }));
  } catch (error) {
    if (isAwsError(error, 'InvalidRequestException')) {
      throw new ClientError(400, 'RegistrationRefused', `body: AWS IoT refused to provision the device: ${(error as Error).message}`);
    }
    if (isAwsError(error, 'ResourceRegistrationFailureException')) {
      deps.logger.error('RegisterThing failed', { thingName: request.thingName, ...describeError(error) });
      throw new ClientError(502, 'RegistrationFailed', `body: AWS IoT could not provision the device: ${(error as Error).message}`);
    }
    throw error;
  }
  const certificatePem = result.certificatePem;
  if (!certificatePem) throw new Error('RegisterThing returned no certificatePem');
  const certificateId = /:cert\/([0-9a-f]{64})$/.exec(result.resourceArns?.certificate ?? '')?.[1] ?? certificateIdOf(certificatePem);
  return { certificateId, certificatePem };
}

/** Sets the old certificates INACTIVE, one by one; the new one is ACTIVE and attached by now. */
async function deactivate(deps: ProvisionerDeps, device: ProvisionedDevice, old: readonly ActiveCertificate[]): Promise<ProvisionOutcome> {
  const rotatedCertificateIds: string[] = [];
  const stillActiveCertificateIds: string[] = [];
  const failures: string[] = [];
  for (const { certificateId } of old) {
    try {
      await deps.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }));
      rotatedCertificateIds.push(certificateId);
    } catch (error) {
      if (isNotFound(error)) continue; // deleted meanwhile: it grants nothing any more
      stillActiveCertificateIds.push(certificateId);
      failures.push(`${certificateId}: ${describeError(error).errorName}`);
      deps.logger.error('old certificate not deactivated', { thingName: device.ThingName, certificateId, ...describeError(error) });
    }
  }
  deps.logger.info('certificates rotated', {
    thingName: device.ThingName, certificateId: device.certificateId, rotatedCertificateIds, stillActiveCertificateIds,
  });
  const body = { ...device, rotatedCertificateIds };
  if (stillActiveCertificateIds.length === 0) return { statusCode: 200, body };
  return {
    statusCode: 500,
    body: {
      ...body,
      error: {
        code: 'RotationIncomplete',
        message: `rotate: the new certificate ${device.certificateId} is ACTIVE and attached to thing '${device.ThingName}' (it is in this answer), `
          + `but ${stillActiveCertificateIds.length} old certificate(s) are still ACTIVE (${failures.join('; ')}); `
          + 'send the same request again to finish the rotation: it creates no further certificate',
      },
      stillActiveCertificateIds,
    },
  };
}

function answer(request: ProvisionRequest, certificate: ActiveCertificate, endpointAddress: string): ProvisionedDevice {
  return {
    ThingName: request.thingName,
    certificateId: certificate.certificateId,
    certificatePem: certificate.certificatePem,
    endpointAddress,
    rootCaPems: AMAZON_ROOT_CA_PEMS,
  };
}

async function findAsync<T>(items: readonly T[], predicate: (item: T) => Promise<boolean>): Promise<T | undefined> {
  for (const item of items) {
    if (await predicate(item)) return item;
  }
  return undefined;
}

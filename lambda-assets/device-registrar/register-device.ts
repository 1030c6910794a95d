import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  UpdateThingCommand,
  DeleteCertificateCommand,
  DeleteThingCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  IoTClient,
  ListThingPrincipalsCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import type { RegistrationRequest } from './request';
import type { RegistrationToken } from './token-context';
import type { TokenLedger } from './token-ledger';
import { ClientError } from '../shared/http/client-error';
import { AMAZON_ROOT_CA_1, AMAZON_ROOT_CA_3 } from '../shared/iot/amazon-root-cas';
import { isAwsError, isNotFound } from '../shared/iot/aws-errors';
import { describeError, Logger } from '../shared/logging/logger';

export interface RegistrarDeps {
  readonly iot: IoTClient;
  readonly ledger: TokenLedger;
  /** The account's ATS data endpoint (cached by the caller). */
  readonly dataEndpoint: () => Promise<string>;
  readonly logger: Logger;
  /** Waits between DeleteCertificate attempts (AWS IoT detaches a thing's principal asynchronously). */
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

/** The 200 answer of POST /register. The private key exists nowhere else: AWS IoT does not keep it. */
export interface RegisteredDevice {
  readonly thingName: string;
  readonly thingType: string;
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly privateKey: string;
  readonly endpoint: string;
  readonly rootCa: { readonly preferred: string; readonly backup: string };
  /** On a re-issue: the thing's earlier certificates, now INACTIVE. */
  readonly deactivatedCertificateIds?: string[];
  /** On a re-issue: earlier certificates that could not be set INACTIVE (logged; a repeated re-issue retries them). */
  readonly stillActiveCertificateIds?: string[];
}

/** A registration that failed after it had created something; everything it could undo is undone. */
export class RegistrationFailedError extends Error {
  constructor(readonly statusCode: 500 | 503, readonly code: string, message: string, readonly leftBehind: readonly string[]) {
    super(message);
    this.name = 'RegistrationFailedError';
  }
}

const DELETE_RETRY_DELAYS_MS = [250, 500, 1000, 2000];

/**
 * Registers the device: a thing of the requested type (with its attributes and version), a new
 * key pair and ACTIVE certificate, the type's policy on the certificate, the certificate on the
 * thing. Everything is read and checked first, so a refusal creates nothing. A one-time token is
 * consumed just before the first write. A failure after that undoes what this call created, in
 * reverse, and releases the token, so the device can simply retry.
 */
export async function registerDevice(deps: RegistrarDeps, token: RegistrationToken, request: RegistrationRequest): Promise<RegisteredDevice> {
  const { iot, logger } = deps;
  const { thingName, type } = request;
  const existing = await describeThing(iot, thingName);
  if (existing && !token.allowReissue) {
    throw new ClientError(409, 'ThingAlreadyRegistered', `thingName: thing '${thingName}' is already registered`);
  }
  if (existing && (existing.thingTypeName ?? undefined) !== type.thingTypeName) {
    // Otherwise a token limited to one type could take over (and cut off) a thing of another.
    throw new ClientError(409, 'ThingTypeMismatch', `thingType: thing '${thingName}' exists with another thing type; a re-issue keeps the type`);
  }
  const previous = existing ? await activeCertificatesOf(iot, thingName) : [];
  // Asked before anything is created: a failure afterwards must not cost the device its certificate.
  const endpoint = await deps.dataEndpoint();

  const undo = new UndoLog(deps, thingName);
  if (token.oneTime) {
    await deps.ledger.consume(token.tokenHash, { tokenId: token.tokenId, thingName });
    undo.push('the one-time token marked used', () => deps.ledger.release(token.tokenHash));
  }
  let issued: { certificateId: string; certificatePem: string; privateKey: string };
  try {
    if (!existing) {
      try {
        await iot.send(new CreateThingCommand({
          thingName,
          ...(type.thingTypeName === undefined ? {} : { thingTypeName: type.thingTypeName }),
          attributePayload: { attributes: { ...request.attributes } },
        }));
      } catch (error) {
        // Another registration of the same name got there between DescribeThing and now.
        if (isAwsError(error, 'ResourceAlreadyExistsException')) {
          throw new ClientError(409, 'ThingAlreadyRegistered', `thingName: thing '${thingName}' is already registered`);
        }
        throw error;
      }
      undo.push(`thing '${thingName}'`, () => iot.send(new DeleteThingCommand({ thingName })));
    }
    const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const { certificateArn, certificateId, certificatePem } = created;
    const privateKey = created.keyPair?.PrivateKey;
    if (!certificateArn || !certificateId) throw new Error('CreateKeysAndCertificate returned no certificate');
    undo.push(`certificate ${certificateId}`, () => deleteCertificate(deps, certificateId));
    if (!certificatePem || !privateKey) throw new Error('CreateKeysAndCertificate returned no certificate PEM or private key');
    issued = { certificateId, certificatePem, privateKey };
    await iot.send(new AttachPolicyCommand({ policyName: type.policyName, target: certificateArn }));
    undo.push(`policy '${type.policyName}' on certificate ${certificateId}`,
      () => iot.send(new DetachPolicyCommand({ policyName: type.policyName, target: certificateArn })));
    await iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }));
    undo.push(`certificate ${certificateId} on thing '${thingName}'`,
      () => iot.send(new DetachThingPrincipalCommand({ thingName, principal: certificateArn })));
  } catch (error) {
    throw await undo.run(error);
  }

  const { certificateId, certificatePem, privateKey } = issued;
  logger.info('device registered', {
    thingName, thingType: request.thingType, certificateId, tokenId: token.tokenId, oneTime: token.oneTime, reissue: !!existing,
  });
  const device: RegisteredDevice = {
    thingName,
    thingType: request.thingType,
    certificateId,
    certificatePem,
    privateKey,
    endpoint,
    rootCa: { preferred: AMAZON_ROOT_CA_1, backup: AMAZON_ROOT_CA_3 },
  };
  if (!existing) return device;
  await recordReissue(deps, thingName, request.attributes);
  return { ...device, ...await deactivate(deps, thingName, previous) };
}

/**
 * A re-issued device reports its version (and attributes) again: merged into the thing's. The
 * device already holds its new credentials, so a failure here is logged, not answered.
 */
async function recordReissue(deps: RegistrarDeps, thingName: string, attributes: Record<string, string>): Promise<void> {
  try {
    await deps.iot.send(new UpdateThingCommand({ thingName, attributePayload: { attributes: { ...attributes }, merge: true } }));
  } catch (error) {
    deps.logger.error('re-issued device\'s attributes not recorded', { thingName, ...describeError(error) });
  }
}

async function describeThing(iot: IoTClient, thingName: string): Promise<{ thingTypeName?: string } | undefined> {
  try {
    return await iot.send(new DescribeThingCommand({ thingName }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const CERTIFICATE_ARN = /:cert\/([0-9a-f]{64})$/;

/** The ids of the thing's ACTIVE certificates (other principals and statuses do not count). */
async function activeCertificatesOf(iot: IoTClient, thingName: string): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListThingPrincipalsCommand({ thingName, nextToken }));
    for (const principal of page.principals ?? []) {
      const id = CERTIFICATE_ARN.exec(principal)?.[1];
      if (id) ids.push(id);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const active: string[] = [];
  for (const certificateId of ids) {
    try {
      const { certificateDescription } = await iot.send(new DescribeCertificateCommand({ certificateId }));
      if (certificateDescription?.status === 'ACTIVE') active.push(certificateId);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return active;
}

/** The old certificates INACTIVE, now that the new one is ACTIVE and attached. A failure keeps the new one: its key is in this answer only. */
async function deactivate(deps: RegistrarDeps, thingName: string, previous: readonly string[]) {
  const deactivatedCertificateIds: string[] = [];
  const stillActiveCertificateIds: string[] = [];
  for (const certificateId of previous) {
    try {
      await deps.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }));
      deactivatedCertificateIds.push(certificateId);
    } catch (error) {
      if (isNotFound(error)) continue;
      stillActiveCertificateIds.push(certificateId);
      deps.logger.error('old certificate not deactivated', { thingName, certificateId, ...describeError(error) });
    }
  }
  deps.logger.info('certificates re-issued', { thingName, deactivatedCertificateIds, stillActiveCertificateIds });
  return { deactivatedCertificateIds, ...(stillActiveCertificateIds.length > 0 ? { stillActiveCertificateIds } : {}) };
}

/** INACTIVE, then deleted; AWS IoT refuses the delete while the (asynchronous) thing detach is still in flight. */
async function deleteCertificate(deps: RegistrarDeps, certificateId: string): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  await deps.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }));
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.iot.send(new DeleteCertificateCommand({ certificateId }));
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      if (!isAwsError(error, 'DeleteConflictException') || attempt >= DELETE_RETRY_DELAYS_MS.length) throw error;
      await sleep(DELETE_RETRY_DELAYS_MS[attempt]);
    }
  }
}

/** What this call created, with how to undo each, undone last-first. */
class UndoLog {
  private readonly steps: { what: string; undo: () => Promise<unknown> }[] = [];

  constructor(private readonly deps: RegistrarDeps, private readonly thingName: string) {}

  push(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo });
  }

  /** Undoes everything and returns the error to throw: the caller's (409 race) as it was, else a 500/503 that says what is left. */
  async run(cause: unknown): Promise<Error> {
    const { logger } = this.deps;
    const leftBehind: string[] = [];
    for (const step of [...this.steps].reverse()) {
      try {
        await step.undo();
      } catch (error) {
        if (isNotFound(error)) continue;
        leftBehind.push(step.what);
        logger.error('undo failed', { thingName: this.thingName, step: step.what, ...describeError(error) });
      }
    }
    const undone = this.steps.map((step) => step.what).filter((what) => !leftBehind.includes(what));
    logger.error('registration failed and was undone', { thingName: this.thingName, ...describeError(cause), undone, leftBehind });
    if (cause instanceof ClientError && leftBehind.length === 0) return cause;
    const unavailable = isAwsError(cause, 'ThrottlingException', 'ServiceUnavailableException', 'TooManyRequestsException', 'SlowDown');
    const what = unavailable ? 'AWS IoT is busy or unavailable' : 'the registration failed on our side';
    const message = leftBehind.length === 0
      ? `${what}; nothing was left behind (the one-time token, if any, is usable again); retry later`
      : `${what}; undoing it left behind: ${leftBehind.join('; ')}. An operator has the details in the log`;
    return new RegistrationFailedError(unavailable && leftBehind.length === 0 ? 503 : 500,
      unavailable ? 'ServiceUnavailable' : 'RegistrationFailed', message, leftBehind);
  }
}

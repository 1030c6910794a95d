/**
 * The fleet provisioning MQTT API, as AWS IoT serves it:
 * `$aws/certificates/create/<format>`, `$aws/certificates/create-from-csr/<format>`
 * and `$aws/provisioning-templates/<name>/provision/<format>`, answered on
 * `<request topic>/accepted` or `/rejected` to the requesting connection only.
 */
export type FleetOperation = 'CreateKeysAndCertificate' | 'CreateCertificateFromCsr' | 'RegisterThing';

export interface FleetRequest {
  readonly operation: FleetOperation;
  readonly format: 'json';
  readonly templateName?: string;
  readonly topic: string;
}

export interface IssuedForFleet {
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly certificateOwnershipToken: string;
}

/** What the registry must do for the fleet provisioning API. */
export interface FleetRegistry {
  createKeysAndCertificateForFleet(): Promise<IssuedForFleet & { privateKey: string }>;
  createCertificateFromCsrForFleet(certificateSigningRequest: string): Promise<IssuedForFleet>;
  registerThingWithOwnershipToken(
    templateName: string, token: string, parameters: Record<string, string> | undefined, claimCertificateId: string, clientId: string,
  ): Promise<{ thingName: string; deviceConfiguration: Record<string, string> }>;
}

export interface FleetAnswer {
  readonly topic: string;
  readonly payload: Record<string, unknown>;
}

const CREATE = /^\$aws\/certificates\/create\/(json)$/;
const CREATE_FROM_CSR = /^\$aws\/certificates\/create-from-csr\/(json)$/;
const PROVISION = /^\$aws\/provisioning-templates\/([0-9A-Za-z_-]{1,36})\/provision\/(json)$/;

/** The request a topic names, or undefined when it is not a fleet provisioning request topic. */
export function fleetRequestOf(topic: string): FleetRequest | undefined {
  let match = CREATE.exec(topic);
  if (match) return { operation: 'CreateKeysAndCertificate', format: 'json', topic };
  match = CREATE_FROM_CSR.exec(topic);
  if (match) return { operation: 'CreateCertificateFromCsr', format: 'json', topic };
  match = PROVISION.exec(topic);
  if (match) return { operation: 'RegisterThing', format: 'json', templateName: match[1], topic };
  return undefined;
}

/** Serves one request; every failure becomes the `/rejected` payload `{statusCode, errorCode, errorMessage}`. */
export async function answerFleetRequest(
  registry: FleetRegistry,
  request: FleetRequest,
  payload: Buffer,
  caller: Caller,
): Promise<FleetAnswer> {
  try {
    const body = parseBody(payload);
    const accepted = await perform(registry, request, body, caller);
    return { topic: `${request.topic}/accepted`, payload: { ...accepted } };
  } catch (error) {
    return { topic: `${request.topic}/rejected`, payload: rejectedPayload(error) };
  }
}

interface Caller {
  readonly clientId: string;
  readonly certificateId: string;
}

async function perform(registry: FleetRegistry, request: FleetRequest, body: Record<string, unknown>, caller: Caller) {
  switch (request.operation) {
    case 'CreateKeysAndCertificate':
      return registry.createKeysAndCertificateForFleet();
    case 'CreateCertificateFromCsr':
      if (typeof body.certificateSigningRequest !== 'string' || body.certificateSigningRequest.length === 0) {
        throw new FleetRejection(400, 'InvalidPayload', 'certificateSigningRequest is required');
      }
      return registry.createCertificateFromCsrForFleet(body.certificateSigningRequest);
    case 'RegisterThing': {
      const parameters = body.parameters;
      if (parameters !== undefined && (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))) {
        throw new FleetRejection(400, 'InvalidPayload', 'parameters must be an object of strings');
      }
      const token = body.certificateOwnershipToken as string;
      return registry.registerThingWithOwnershipToken(
        request.templateName!, token, parameters as Record<string, string> | undefined, caller.certificateId, caller.clientId,
      );
    }
  }
}

class FleetRejection extends Error {
  constructor(readonly statusCode: number, readonly errorCode: string, message: string) {
    super(message);
  }
}

function parseBody(payload: Buffer): Record<string, unknown> {
  if (payload.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new FleetRejection(400, 'InvalidPayload', 'The payload is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FleetRejection(400, 'InvalidPayload', 'The payload must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function rejectedPayload(error: unknown): Record<string, unknown> {
  if (error instanceof FleetRejection) return { statusCode: error.statusCode, errorCode: error.errorCode, errorMessage: error.message };
  const described = error as {
    rejectedPayload?: Record<string, unknown>; httpStatus?: number; errorCode?: string; name?: string; message?: string;
  };
  if (described?.rejectedPayload) return described.rejectedPayload;
  return {
    statusCode: described?.httpStatus ?? 500,
    errorCode: described?.errorCode ?? described?.name ?? 'InternalFailure',
    errorMessage: described?.message ?? 'Internal failure',
  };
}

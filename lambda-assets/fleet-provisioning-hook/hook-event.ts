/**
 * The event AWS IoT sends a fleet provisioning template's pre-provisioning hook
 * (payload version 2020-04-01), when a device calls RegisterThing.
 */
export interface PreProvisioningHookEvent {
  /** The claim certificate the device connected with. */
  readonly claimCertificateId: string;
  /** The device's new certificate (from CreateKeysAndCertificate or CreateCertificateFromCsr). */
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly templateArn: string;
  readonly clientId: string;
  /** The template parameters the device sent. */
  readonly parameters: Readonly<Record<string, string>>;
}

/** What AWS IoT needs back: only `allowProvisioning: true` lets the device be provisioned. */
export interface PreProvisioningHookAnswer {
  readonly allowProvisioning: boolean;
  readonly parameterOverrides?: Record<string, string>;
}

/** The event is not what AWS IoT sends: the device is denied, never admitted by default. */
export class InvalidHookEventError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'InvalidHookEventError';
  }
}

const CERTIFICATE_ID = /^[0-9a-f]{64}$/;

export function parseHookEvent(event: unknown): PreProvisioningHookEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new InvalidHookEventError('the event is not an object');
  const fields = event as Record<string, unknown>;
  for (const name of ['claimCertificateId', 'certificateId']) {
    if (typeof fields[name] !== 'string' || !CERTIFICATE_ID.test(fields[name] as string)) {
      throw new InvalidHookEventError(`${name} must be an AWS IoT certificate id (64 lowercase hex characters)`);
    }
  }
  for (const name of ['certificatePem', 'templateArn']) {
    if (typeof fields[name] !== 'string' || fields[name] === '') throw new InvalidHookEventError(`${name} must be a non-empty string`);
  }
  if (typeof fields.clientId !== 'string') throw new InvalidHookEventError('clientId must be a string');
  return {
    claimCertificateId: fields.claimCertificateId as string,
    certificateId: fields.certificateId as string,
    certificatePem: fields.certificatePem as string,
    templateArn: fields.templateArn as string,
    clientId: fields.clientId,
    parameters: parseParameters(fields.parameters),
  };
}

/** Template parameters are strings by name; a device that sends none sends an empty map. */
function parseParameters(parameters: unknown): Record<string, string> {
  if (parameters === undefined) return {};
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new InvalidHookEventError('parameters must be an object of strings');
  }
  for (const [name, value] of Object.entries(parameters)) {
    if (typeof value !== 'string') throw new InvalidHookEventError(`parameters must be an object of strings: '${name}' is ${value === null ? 'null' : typeof value}`);
  }
  return { ...(parameters as Record<string, string>) };
}

import type { SubjectFields } from '../pki';

/**
 * The verifier contract: what a verifier Lambda is sent and what it must answer. The device
 * activator (JITR), the device certificate generator (JITP) and the fleet provisioning hook
 * all speak it. The same shape is documented in the README and in src/core/verifiers.ts
 * (VerifierInput / VerifierOutput).
 */
export interface VerifierInput {
  readonly certificateId: string;
  /** The CA that signed the certificate; absent in fleet provisioning, where AWS IoT's own CA issued it. */
  readonly caCertificateId?: string;
  readonly certificatePem: string;
  readonly subject: SubjectFields;
  /** The certificate's serial number, lowercase hex. */
  readonly serialNumber: string;
  /** Only in fleet provisioning: the RegisterThing request the device made. */
  readonly provisioning?: ProvisioningRequest;
}

/** A device's RegisterThing request, as the pre-provisioning hook sees it. */
export interface ProvisioningRequest {
  readonly templateArn: string;
  /** The claim certificate the device connected with. */
  readonly claimCertificateId: string;
  /** The device's MQTT client id. */
  readonly clientId: string;
  /** The template parameters the device sent. */
  readonly parameters: Readonly<Record<string, string>>;
}

export interface VerifierOutput {
  /** Only `true` admits the device; anything else rejects it. */
  readonly verified: boolean;
  /** Name for the device's thing; AWS IoT's thing-name rules apply. */
  readonly thingName?: string;
  /** Thing attributes. */
  readonly attributes?: Record<string, string>;
  /** Why the device was rejected; logged. */
  readonly reason?: string;
  /** Fleet provisioning only: template parameters that replace or add to the device's. */
  readonly parameterOverrides?: Record<string, string>;
}

/** The verifier answered something that is not the contract: the device is neither admitted nor rejected. */
export class VerifierContractError extends Error {
  constructor(verifierName: string, problem: string) {
    super(`verifier '${verifierName}' broke the contract: ${problem}`);
    this.name = 'VerifierContractError';
  }
}

/** The verifier gave no answer in the time allowed: the device is neither admitted nor rejected. */
export class VerifierTimeoutError extends Error {
  constructor(verifierName: string, timeoutMs: number) {
    super(`verifier '${verifierName}' gave no answer within ${timeoutMs} ms`);
    this.name = 'VerifierTimeoutError';
  }
}

import type { SubjectFields } from '../pki';

/**
 * The verifier contract: what the device activator sends a verifier Lambda and
 * what it must answer. The same shape is documented in the README and in
 * src/core/verifier.ts (VerifierInput / VerifierOutput).
 */
export interface VerifierInput {
  readonly certificateId: string;
  readonly caCertificateId: string;
  readonly certificatePem: string;
  readonly subject: SubjectFields;
  /** The certificate's serial number, lowercase hex. */
  readonly serialNumber: string;
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
}

/** The verifier answered something that is not the contract: the device is neither admitted nor rejected. */
export class VerifierContractError extends Error {
  constructor(verifierName: string, problem: string) {
    super(`verifier '${verifierName}' broke the contract: ${problem}`);
    this.name = 'VerifierContractError';
  }
}

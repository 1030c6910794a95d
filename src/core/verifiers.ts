import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * What a verifier Lambda is sent (the verifier contract): by the device
 * activator (JITR), the device certificate API (JITP) and the fleet
 * provisioning hook.
 */
export interface VerifierInput {
  /** The device certificate's AWS IoT id (SHA-256 of its DER, hex). */
  readonly certificateId: string;
  /**
   * The id of the CA that signed it.
   *
   * @default - absent in fleet provisioning, where AWS IoT's own CA issued the certificate
   */
  readonly caCertificateId?: string;
  /** The device certificate, PEM. */
  readonly certificatePem: string;
  /** Its subject: commonName, countryName, stateName, localityName, organizationName, organizationUnitName, serialNumber, dnQualifier (those present). */
  readonly subject: { [field: string]: string };
  /** Its serial number, lowercase hex. */
  readonly serialNumber: string;
  /**
   * The device's RegisterThing request.
   *
   * @default - absent except in fleet provisioning
   */
  readonly provisioning?: ProvisioningRequest;
}

/**
 * A device's RegisterThing request, as the fleet provisioning hook passes it
 * to the verifier.
 */
export interface ProvisioningRequest {
  /** The provisioning template's ARN. */
  readonly templateArn: string;
  /** The claim certificate the device connected with. */
  readonly claimCertificateId: string;
  /** The device's MQTT client id. */
  readonly clientId: string;
  /** The template parameters the device sent. */
  readonly parameters: { [name: string]: string };
}

/**
 * What a verifier Lambda must answer (the verifier contract). An answer of
 * another shape, or a failing verifier, neither admits nor rejects the device:
 * the event is retried and ends in the dead-letter queue.
 */
export interface VerifierOutput {
  /** `true` admits the device; `false` revokes its certificate. */
  readonly verified: boolean;
  /**
   * Name of the device's thing.
   *
   * @default - the certificate's CN when it is a valid thing name, else the certificate id
   */
  readonly thingName?: string;
  /**
   * Thing attributes.
   *
   * @default - none
   */
  readonly attributes?: { [name: string]: string };
  /**
   * Why the device was rejected (logged).
   *
   * @default - none
   */
  readonly reason?: string;
  /**
   * Fleet provisioning only: template parameters that replace or add to the
   * device's (the hook answers them as `parameterOverrides`).
   *
   * @default - none
   */
  readonly parameterOverrides?: { [name: string]: string };
}

const VERIFIER_NAME = /^[A-Za-z0-9_.:/=+@-]{1,128}$/;

/** Checks verifier names: they travel as AWS IoT tag values. */
export function validateVerifiers(verifiers: { [name: string]: lambda.IFunction } = {}): string[] {
  const names = Object.keys(verifiers);
  for (const name of names) {
    if (Token.isUnresolved(name) || !VERIFIER_NAME.test(name)) {
      throw new Error(`verifiers: the name '${name}' must be 1-128 characters of letters, digits and _.:/=+@-`);
    }
  }
  return names;
}

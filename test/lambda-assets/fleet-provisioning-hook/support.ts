import { InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { createCaCertificate, issueDeviceCertificateWithNewKey } from '../../../lambda-assets/shared/pki';
import { captureLogs } from '../device-activator/support';

export { captureLogs };

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const TEMPLATE_NAME = 'FleetTemplate-1A2B3C';
export const TEMPLATE_ARN = `arn:aws:iot:${REGION}:${ACCOUNT}:provisioningtemplate/${TEMPLATE_NAME}`;
export const VERIFIER_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:acme-fleet-verifier`;

export interface HookAnswer {
  readonly allowProvisioning: boolean;
  readonly parameterOverrides?: Record<string, string>;
}
export type HookHandler = (event: unknown, context?: Context) => Promise<HookAnswer>;

/** Sets the environment the FleetProvision construct gives the hook, then loads the handler (it reads the environment at load). */
export function loadHook(env: Record<string, string>): HookHandler {
  Object.assign(process.env, { AWS_REGION: REGION }, env);
  // From the test's own module registry, so its SDK clients are the ones aws-sdk-client-mock stubs.
  const module = jest.requireActual<typeof import('../../../lambda-assets/fleet-provisioning-hook')>('../../../lambda-assets/fleet-provisioning-hook');
  return (event, context) => module.handler(event, context);
}

export interface FleetCertificate {
  readonly certificateId: string;
  readonly certificatePem: string;
}

/**
 * A certificate like those AWS IoT issues to devices in fleet provisioning (subject CN
 * "AWS IoT Certificate", signed by Amazon's CA; here by a stand-in CA made by our PKI).
 */
export async function fleetCertificate(): Promise<FleetCertificate> {
  const ca = await createCaCertificate({
    subject: { commonName: 'Amazon Web Services IoT CA (test stand-in)', organizationName: 'Amazon.com Inc.', countryName: 'US' },
    keyAlgorithm: 'ECDSA-P256',
    validityDays: 30,
  });
  const issued = await issueDeviceCertificateWithNewKey(ca.authority, {
    keyAlgorithm: 'ECDSA-P256',
    subject: { commonName: 'AWS IoT Certificate' },
    validityDays: 30,
  });
  return { certificateId: issued.certificateId, certificatePem: issued.certificatePem };
}

export const CLAIM_CERTIFICATE_ID = 'c1'.repeat(32);

/** The event AWS IoT sends the hook (payload version 2020-04-01) when a device calls RegisterThing. */
export function hookEvent(device: FleetCertificate, parameters: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    claimCertificateId: CLAIM_CERTIFICATE_ID,
    certificateId: device.certificateId,
    certificatePem: device.certificatePem,
    templateArn: TEMPLATE_ARN,
    clientId: 'factory-line-7',
    parameters,
    ...overrides,
  };
}

export function verifierAnswers(answer: unknown, functionError?: string): Partial<InvokeCommandOutput> {
  const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
  return { StatusCode: 200, FunctionError: functionError, Payload: Buffer.from(text) as unknown as InvokeCommandOutput['Payload'] };
}

export function lambdaContext(): Context {
  return { awsRequestId: 'req-1' } as Context;
}

/** No log line may carry a PEM block (certificate or key) or the words of a private key. */
export function expectNoKeyMaterial(lines: Record<string, unknown>[]): void {
  const text = lines.map((line) => JSON.stringify(line)).join('\n');
  expect(text).not.toMatch(/-----BEGIN|PRIVATE KEY|MII[A-Za-z0-9+/]{20}/);
}

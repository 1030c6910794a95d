// @peculiar/x509 needs the Reflect metadata polyfill before it loads (the PKI's runtime does the same).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import {
  createCaCertificate,
  createVerificationCertificate,
  generateKeyPair,
  issueDeviceCertificateWithNewKey,
  type GeneratedCa,
  type KeyAlgorithm,
  type SubjectFields,
} from '../../../../lambda-assets/shared/pki';

/** Real certificates from our PKI, for the model and wire tests. */

export async function makeCa(commonName: string, keyAlgorithm: KeyAlgorithm = 'ECDSA-P256', subject: SubjectFields = {}): Promise<GeneratedCa> {
  return createCaCertificate({ subject: { organizationName: 'Acme', ...subject, commonName }, keyAlgorithm, validityDays: 365 });
}

export async function makeDevice(
  ca: GeneratedCa,
  subject: SubjectFields,
  keyAlgorithm: KeyAlgorithm = 'ECDSA-P256',
): Promise<{ certificatePem: string; certificateId: string; privateKeyPem: string }> {
  return issueDeviceCertificateWithNewKey(ca.authority, { keyAlgorithm, subject, validityDays: 30 });
}

export async function verificationFor(ca: GeneratedCa, registrationCode: string): Promise<string> {
  return (await createVerificationCertificate(ca.authority, registrationCode)).certificatePem;
}

/** A PKCS#10 CSR made with @peculiar/x509 (the PKI can read CSRs but has no reason to write them). */
export async function makeCsr(name: string, keyAlgorithm: KeyAlgorithm = 'ECDSA-P256'): Promise<string> {
  x509.cryptoProvider.set(webcrypto as any);
  const keys = await generateKeyPair(keyAlgorithm);
  const signingAlgorithm = keyAlgorithm.startsWith('RSA') ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', hash: 'SHA-256' };
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys: keys as any, signingAlgorithm });
  return csr.toString('pem');
}

/** The CSR with one bit of its signature flipped. */
export function tamper(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 1] = der[der.length - 1] === 0 ? 1 : 0;
  const body = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
}

export const DEVICE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:us-east-1:123456789012:client/${iot:Connection.Thing.ThingName}' },
  ],
});

/** A JITP template that creates a thing named by the certificate's CN, and activates the certificate. */
export const JITP_TEMPLATE = JSON.stringify({
  Parameters: {
    'AWS::IoT::Certificate::CommonName': { Type: 'String' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' }, AttributePayload: { provisionedBy: 'jitp' } },
    },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
    },
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: DEVICE_POLICY } },
  },
});

/** A fleet-provisioning template: thing from a SerialNumber parameter, the device certificate activated. */
export const FLEET_TEMPLATE = JSON.stringify({
  Parameters: {
    'SerialNumber': { Type: 'String' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Resources: {
    thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { 'Fn::Join': ['', ['device-', { Ref: 'SerialNumber' }]] } } },
    certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'Active' } },
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'fleet-device' } },
  },
  DeviceConfiguration: { Fallback: 'none', Serial: { Ref: 'SerialNumber' } },
});

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/provisioning';

import {
  DescribeCACertificateCommand,
  GetRegistrationCodeCommand,
  RegisterCACertificateCommand,
  RegisterCACertificateCommandInput,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  callLog,
  caRegisterEvent,
  parseResponse,
  REGISTRATION_CODE,
  REGISTRATOR_ENV,
  useRegistratorHarness,
  VAULT_PREFIX_NORMALIZED,
} from './support';
import { createCaCertificate, createVerificationCertificate, GeneratedCa } from '../../../lambda-assets/shared/pki';


const harness = useRegistratorHarness((iot) => {
  iot.on(DescribeCACertificateCommand).rejects(new ResourceNotFoundException({ message: 'CA certificate not found', $metadata: { httpStatusCode: 404 } }));
  iot.on(RegisterCACertificateCommand).callsFake((input: RegisterCACertificateCommandInput) => ({
    certificateId: 'id-from-aws-' + input.caCertificate!.length,
    certificateArn: 'arn:aws:iot:eu-west-1:123456789012:cacert/imported',
  }));
});
const { iot, s3 } = harness;

/** A CA made outside the construct (here with our PKI): the user keeps its private key. */
async function userCa(keyAlgorithm: 'ECDSA-P256' | 'RSA-2048' = 'ECDSA-P256'): Promise<GeneratedCa> {
  return createCaCertificate({ subject: { commonName: `User CA ${keyAlgorithm}`, organizationName: 'User Inc' }, keyAlgorithm, validityDays: 365 });
}

function putKeys(): string[] {
  return s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key!).sort();
}

function putBody(key: string): string {
  return s3.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key === key)!.args[0].input.Body as string;
}

describe('POST /caRegister with caCertificatePem (bring your own CA)', () => {
  test('DEFAULT mode: checks the proof, stores the certificates (no private key) and registers the CA', async () => {
    const ca = await userCa('RSA-2048');
    const verificationPem = (await createVerificationCertificate(ca.authority, REGISTRATION_CODE)).certificatePem;

    const response = parseResponse(await harness.handler(caRegisterEvent({
      caCertificatePem: ca.certificatePem,
      verificationCertificatePem: verificationPem,
      verifierName: 'acme-verifier',
    })));

    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      // The id AWS answered is the one reported.
      caCertificateId: `id-from-aws-${ca.certificatePem.length}`,
      caCertificateArn: 'arn:aws:iot:eu-west-1:123456789012:cacert/imported',
      caCertificatePem: ca.certificatePem,
      // The key stays with its owner: no storage of ours, no KMS key.
      keyStorage: 'NONE',
    });
    const input = iot.commandCalls(RegisterCACertificateCommand)[0].args[0].input;
    expect(input).toEqual({
      caCertificate: ca.certificatePem,
      verificationCertificate: verificationPem,
      certificateMode: 'DEFAULT',
      setAsActive: true,
      allowAutoRegistration: true,
      tags: [
        { Key: 'cdk-iot-security:registrar', Value: REGISTRATOR_ENV.REGISTRAR_ID },
        { Key: 'cdk-iot-security:verifier', Value: 'acme-verifier' },
      ],
    });
    expect(iot.commandCalls(DescribeCACertificateCommand)[0].args[0].input).toEqual({ certificateId: ca.certificateId });

    const folder = `${VAULT_PREFIX_NORMALIZED}/${ca.certificateId}`;
    // No private key (and no public-key file): the key never reaches us.
    expect(putKeys()).toEqual([`${folder}/ca.cert.pem`, `${folder}/ca.json`, `${folder}/verification.cert.pem`]);
    for (const call of s3.commandCalls(PutObjectCommand)) {
      expect(call.args[0].input).toMatchObject({ Bucket: REGISTRATOR_ENV.VAULT_BUCKET, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: REGISTRATOR_ENV.VAULT_KEY_ARN });
    }
    expect(putBody(`${folder}/ca.cert.pem`)).toBe(ca.certificatePem);
    expect(putBody(`${folder}/verification.cert.pem`)).toBe(verificationPem);
    expect(JSON.parse(putBody(`${folder}/ca.json`))).toEqual({
      caCertificateId: ca.certificateId,
      source: 'imported',
      keyAlgorithm: 'RSA-2048',
      keyStorage: 'NONE',
      certificateMode: 'DEFAULT',
      verifierName: 'acme-verifier',
      createdAt: expect.any(String),
    });

    // Checks (reads) first, then the vault, then the registration.
    expect(callLog(iot, s3)).toEqual([
      'GetRegistrationCode', 'DescribeCACertificate', 'PutObject', 'PutObject', 'PutObject', 'RegisterCACertificate',
    ]);
  });

  test('SNI_ONLY mode: no verification certificate, no registration code, only the CA certificate and its metadata stored', async () => {
    const ca = await userCa();

    const response = parseResponse(await harness.handler(caRegisterEvent({ caCertificatePem: ca.certificatePem, certificateMode: 'SNI_ONLY' })));

    expect(response.statusCode).toBe(200);
    expect(response.body.caCertificatePem).toBe(ca.certificatePem);
    const input = iot.commandCalls(RegisterCACertificateCommand)[0].args[0].input;
    expect(input.certificateMode).toBe('SNI_ONLY');
    expect(input.verificationCertificate).toBeUndefined();
    expect(input.tags).toEqual([{ Key: 'cdk-iot-security:registrar', Value: REGISTRATOR_ENV.REGISTRAR_ID }]);
    expect(iot.commandCalls(GetRegistrationCodeCommand)).toHaveLength(0);
    const folder = `${VAULT_PREFIX_NORMALIZED}/${ca.certificateId}`;
    expect(putKeys()).toEqual([`${folder}/ca.cert.pem`, `${folder}/ca.json`]);
    expect(JSON.parse(putBody(`${folder}/ca.json`))).toMatchObject({ source: 'imported', keyAlgorithm: 'ECDSA-P256', certificateMode: 'SNI_ONLY', verifierName: null });
    expect(callLog(iot, s3)).toEqual(['DescribeCACertificate', 'PutObject', 'PutObject', 'RegisterCACertificate']);
  });

  test('a PEM with surrounding whitespace is accepted and stored as sent', async () => {
    const ca = await userCa();
    const padded = `\n  ${ca.certificatePem}\n\n`;

    const response = parseResponse(await harness.handler(caRegisterEvent({ caCertificatePem: padded, certificateMode: 'SNI_ONLY' })));

    expect(response.statusCode).toBe(200);
    expect(iot.commandCalls(RegisterCACertificateCommand)[0].args[0].input.caCertificate).toBe(padded);
    // The vault folder is still the certificate's id (the DER's hash, whitespace aside).
    expect(putKeys()[0]).toBe(`${VAULT_PREFIX_NORMALIZED}/${ca.certificateId}/ca.cert.pem`);
  });
});

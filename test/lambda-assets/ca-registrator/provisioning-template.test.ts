import { IoTClient, RegisterCACertificateCommand, RegisterCACertificateCommandInput } from '@aws-sdk/client-iot';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { caRegisterEvent, parseResponse, useRegistratorHarness, VAULT_PREFIX_NORMALIZED } from './support';
import { parseRegistrationConfig, readConfig } from '../../../lambda-assets/ca-registrator/config';
import { registerGeneratedCa } from '../../../lambda-assets/ca-registrator/register-ca';
import { createLogger } from '../../../lambda-assets/shared/logging/logger';
import { certificateIdOf, createCaCertificate } from '../../../lambda-assets/shared/pki';
import { CaVault } from '../../../lambda-assets/shared/vault/ca-vault';

/** A JITP template as the construct would write it: thing named by the CN, the shared policy. */
const TEMPLATE_BODY = JSON.stringify({
  Parameters: {
    'AWS::IoT::Certificate::CommonName': { Type: 'String' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Resources: {
    thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' } } },
    certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'DevicePolicy' } },
  },
});
const ROLE_ARN = 'arn:aws:iam::123456789012:role/JitpProvisioningRole-1A2B3C';

const harness = useRegistratorHarness((iot) => {
  iot.on(RegisterCACertificateCommand).callsFake((input: RegisterCACertificateCommandInput) => {
    const certificateId = certificateIdOf(input.caCertificate!);
    return { certificateId, certificateArn: `arn:aws:iot:eu-west-1:123456789012:cacert/${certificateId}` };
  });
}, { REGISTRATION_CONFIG: JSON.stringify({ templateName: 'JitpTemplate_1' }) });
const { iot, s3 } = harness;

function storedMetadata(caId: string): Record<string, unknown> {
  const put = s3.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key === `${VAULT_PREFIX_NORMALIZED}/${caId}/ca.json`);
  expect(put).toBeDefined();
  return JSON.parse(put!.args[0].input.Body as string) as Record<string, unknown>;
}

describe('POST /caRegister with REGISTRATION_CONFIG (JITP)', () => {
  test('a generated CA is registered with the template name, and ca.json records it', async () => {
    const response = parseResponse(await harness.handler(caRegisterEvent({})));

    expect(response.statusCode).toBe(200);
    const input = iot.commandCalls(RegisterCACertificateCommand)[0].args[0].input;
    expect(input.registrationConfig).toEqual({ templateName: 'JitpTemplate_1' });
    // JITP needs auto-registration too: AWS IoT runs the template on the device's first connect.
    expect(input).toMatchObject({ setAsActive: true, allowAutoRegistration: true });
    expect(storedMetadata(response.body.caCertificateId as string)).toMatchObject({ source: 'generated', provisioningTemplate: 'JitpTemplate_1' });
    expect(harness.logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(expect.objectContaining({
      message: 'CA registered', provisioningTemplate: 'JitpTemplate_1',
    }));
  });

  test('an imported CA (SNI_ONLY) is registered with the same template', async () => {
    const ca = await createCaCertificate({ subject: { commonName: 'User JITP CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });

    const response = parseResponse(await harness.handler(caRegisterEvent({ caCertificatePem: ca.certificatePem, certificateMode: 'SNI_ONLY' })));

    expect(response.statusCode).toBe(200);
    expect(iot.commandCalls(RegisterCACertificateCommand)[0].args[0].input.registrationConfig).toEqual({ templateName: 'JitpTemplate_1' });
    expect(storedMetadata(ca.certificateId)).toMatchObject({ source: 'imported', provisioningTemplate: 'JitpTemplate_1' });
  });
});

describe('registerGeneratedCa with an inline template body', () => {
  test('sends templateBody and roleArn as given; ca.json says inline', async () => {
    const registrationConfig = { templateBody: TEMPLATE_BODY, roleArn: ROLE_ARN };
    const registered = await registerGeneratedCa({
      iot: new IoTClient({ region: 'eu-west-1' }),
      vault: new CaVault(new S3Client({ region: 'eu-west-1' }), { bucket: 'vault', prefix: 'cas' }),
      registrarId: 'stack-1',
      registrationConfig,
      logger: createLogger({}, () => undefined),
    }, { kind: 'generate', subject: {}, keyAlgorithm: 'ECDSA-P256', validityDays: 30, certificateMode: 'SNI_ONLY' });

    expect(iot.commandCalls(RegisterCACertificateCommand)[0].args[0].input.registrationConfig).toEqual(registrationConfig);
    const metadata = s3.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key === `cas/${registered.caCertificateId}/ca.json`);
    expect(JSON.parse(metadata!.args[0].input.Body as string)).toMatchObject({ provisioningTemplate: 'inline' });
  });
});

describe('REGISTRATION_CONFIG parsing', () => {
  const BASE_ENV = { VAULT_BUCKET: 'b', REGISTRAR_ID: 'r' };

  test('unset or empty: JITR, no registrationConfig', () => {
    expect(readConfig(BASE_ENV).registrationConfig).toBeUndefined();
    expect(readConfig({ ...BASE_ENV, REGISTRATION_CONFIG: '' }).registrationConfig).toBeUndefined();
  });

  test('a template name, or an inline body with its role', () => {
    expect(readConfig({ ...BASE_ENV, REGISTRATION_CONFIG: '{"templateName":"my-template"}' }).registrationConfig).toEqual({ templateName: 'my-template' });
    const inline = { templateBody: TEMPLATE_BODY, roleArn: ROLE_ARN };
    expect(parseRegistrationConfig(JSON.stringify(inline))).toEqual(inline);
    expect(parseRegistrationConfig(JSON.stringify({ templateBody: '{}', roleArn: 'arn:aws-cn:iam::123456789012:role/path/to/Role' })))
      .toEqual({ templateBody: '{}', roleArn: 'arn:aws-cn:iam::123456789012:role/path/to/Role' });
  });

  test.each([
    ['not JSON', '{templateName:', /REGISTRATION_CONFIG is not JSON/],
    ['an array', '["t"]', /REGISTRATION_CONFIG must be a JSON object/],
    ['an unknown field', '{"templateName":"t","template":"x"}', /REGISTRATION_CONFIG has unknown fields: template$/],
    ['both forms', JSON.stringify({ templateName: 't', templateBody: '{}', roleArn: ROLE_ARN }), /not both/],
    ['a name with a space', '{"templateName":"my template"}', /templateName must be 1-36 characters/],
    ['a 37-character name', JSON.stringify({ templateName: 'a'.repeat(37) }), /templateName must be 1-36 characters/],
    ['a body without role', JSON.stringify({ templateBody: '{}' }), /roleArn must be an IAM role ARN/],
    ['a role without body', JSON.stringify({ roleArn: ROLE_ARN }), /must give templateName, or templateBody with roleArn/],
    ['a body that is not JSON text', JSON.stringify({ templateBody: 'Parameters:', roleArn: ROLE_ARN }), /templateBody is not JSON text/],
    ['a body that is a JSON string', JSON.stringify({ templateBody: '"x"', roleArn: ROLE_ARN }), /templateBody must be a JSON object/],
    ['a body over 10 KiB', JSON.stringify({ templateBody: JSON.stringify({ a: 'x'.repeat(10240) }), roleArn: ROLE_ARN }),
      /templateBody must be a string of 1 to 10240/],
    ['a role ARN that is a user', JSON.stringify({ templateBody: '{}', roleArn: 'arn:aws:iam::123456789012:user/alice' }), /roleArn must be an IAM role ARN/],
  ])('refused at load: %s', (_name, raw, message) => {
    expect(() => readConfig({ ...BASE_ENV, REGISTRATION_CONFIG: raw })).toThrow(message);
  });
});

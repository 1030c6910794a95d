import {
  DescribeCACertificateCommand,
  DescribeEndpointCommand,
  DescribeProvisioningTemplateCommand,
  IoTClient,
  ListTagsForResourceCommand,
  RegistrationConfig,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import { KMSClient, KMSInvalidStateException, SignCommand, type SignCommandInput } from '@aws-sdk/client-kms';
import { InvokeCommand, InvokeCommandInput, InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetObjectCommand,
  GetObjectCommandInput,
  GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  PutObjectCommandInput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { KMS_CA_KEY_ALGORITHMS } from '../../../lambda-assets/shared/kms/kms-ca-key';
import { createCaCertificate, createSelfSignedCa, KeyAlgorithm, SelfSignedCa } from '../../../lambda-assets/shared/pki';
import { generateAsymmetricKey, signWithKey, type AsymmetricKeyMaterial } from '../../../local/runner/kms/asymmetric-key';
import { OpensslWorkspace } from '../shared/pki/openssl';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
export const VERIFIER_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:acme-verifier`;

/** The environment the construct gives the device certificate generator. */
export const GENERATOR_ENV = {
  AWS_REGION: REGION,
  VAULT_BUCKET: 'iot-ca-vault-bucket',
  // Stray slashes on purpose: the handler must normalize them.
  VAULT_PREFIX: '/ca-vault/',
  VAULT_KEY_ARN: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9`,
  REGISTRAR_ID: 'stack-7f3a9c',
  VERIFIER_ARNS: JSON.stringify({ 'acme-verifier': VERIFIER_ARN }),
  DEFAULT_DEVICE_VALIDITY_DAYS: '400',
  MAX_DEVICE_VALIDITY_DAYS: '1000',
} as const;
export const VAULT_PREFIX_NORMALIZED = 'ca-vault';

/** A JITP template that names the thing by the CN: the certificate must have a CN. */
export const CN_TEMPLATE_NAME = 'JitpByCommonName';
export const CN_TEMPLATE_BODY = JSON.stringify({
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

/** An inline template that also reads the organization and the country. */
export const ORG_TEMPLATE_BODY = JSON.stringify({
  Parameters: {
    'AWS::IoT::Certificate::CommonName': { Type: 'String' },
    'AWS::IoT::Certificate::Organization': { Type: 'String' },
    'AWS::IoT::Certificate::Country': { Type: 'String' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: {
        ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' },
        AttributePayload: { org: { Ref: 'AWS::IoT::Certificate::Organization' }, country: { Ref: 'AWS::IoT::Certificate::Country' } },
      },
    },
    certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
  },
});
export const PROVISIONING_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/JitpProvisioningRole`;

export type Handler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/** Sets the generator's environment (plus `extraEnv`), then loads its handler (which reads the environment at load). */
export function loadGenerator(extraEnv: Record<string, string> = {}): Handler {
  Object.assign(process.env, GENERATOR_ENV, extraEnv);
  // From the test's own module registry, so its SDK clients are the ones aws-sdk-client-mock stubs.
  const module = jest.requireActual<typeof import('../../../lambda-assets/device-certificate-generator')>(
    '../../../lambda-assets/device-certificate-generator',
  );
  return (event, context) => module.handler(event, context);
}

/** An API Gateway proxy event for POST /deviceCertificateGenerate; a string body is sent as is, anything else as JSON. */
export function generateEvent(body: unknown): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/deviceCertificateGenerate',
    resource: '/deviceCertificateGenerate',
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}

export interface ParsedResponse {
  readonly statusCode: number;
  readonly body: Record<string, unknown>;
  readonly raw: string;
}

export function parseResponse(result: APIGatewayProxyResult): ParsedResponse {
  expect(result.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
  return { statusCode: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown>, raw: result.body };
}

export function caArnOf(caId: string): string {
  return `arn:aws:iot:${REGION}:${ACCOUNT}:cacert/${caId}`;
}

interface FakeCa {
  status: 'ACTIVE' | 'INACTIVE';
  autoRegistrationStatus: 'ENABLE' | 'DISABLE';
  registrationConfig?: RegistrationConfig;
  tags: Record<string, string>;
  certificatePem: string;
}

interface FakeTemplate {
  body: string;
  type?: 'JITP' | 'FLEET_PROVISIONING';
  enabled?: boolean;
}

export interface CaOptions {
  keyAlgorithm?: KeyAlgorithm;
  /** 'generated' stores the CA key in the vault; 'imported' only its certificate; 'kms' a record naming its KMS key. */
  source?: 'generated' | 'imported' | 'kms';
  status?: FakeCa['status'];
  autoRegistrationStatus?: FakeCa['autoRegistrationStatus'];
  registrationConfig?: RegistrationConfig | null;
  registrar?: string | null;
  verifierName?: string;
}

function newMocks() {
  return { iot: mockClient(IoTClient), s3: mockClient(S3Client), lambda: mockClient(LambdaClient), kms: mockClient(KMSClient) };
}

/** A CA key in the fake KMS: its key pair, and whether it may still sign. */
export interface FakeKmsKey {
  readonly material: AsymmetricKeyMaterial;
  state: 'Enabled' | 'PendingDeletion';
}
type Mocks = ReturnType<typeof newMocks>;

const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 404 } });

/**
 * AWS IoT (CAs with tags and registration configs, templates, the endpoint), the S3 vault
 * (objects by key, conditional writes) and the verifier Lambda, behind aws-sdk-client-mock.
 */
export class FakeWorld {
  readonly cas = new Map<string, FakeCa>();
  readonly templates = new Map<string, FakeTemplate>();
  readonly objects = new Map<string, string>();
  /** KMS keys by ARN. */
  readonly kmsKeys = new Map<string, FakeKmsKey>();
  /** What the verifier answers; a function gets the input. */
  verifierAnswer: unknown | ((input: Record<string, unknown>) => unknown) = { verified: true };
  verifierFunctionError?: string;
  /** Awaited before S3 answers a read of an issued record: lets a test line up concurrent requests. */
  beforeIssuedRecordRead?: () => Promise<void>;

  constructor(
    readonly iot: Mocks['iot'],
    readonly s3: Mocks['s3'],
    readonly lambda: Mocks['lambda'],
    readonly kms: Mocks['kms'],
  ) {}

  /** A CA made by our PKI and registered as the construct would, with its files in the vault. */
  async addCa(options: CaOptions = {}): Promise<SelfSignedCa & { privateKeyPem?: string; kmsKeyArn?: string }> {
    const subject = { commonName: `Generator Test CA ${this.cas.size}` };
    const keyAlgorithm = options.keyAlgorithm ?? 'ECDSA-P256';
    const ca: SelfSignedCa & { privateKeyPem?: string; kmsKeyArn?: string } = options.source === 'kms'
      ? await this.kmsCa(subject, keyAlgorithm)
      : await createCaCertificate({ subject, keyAlgorithm, validityDays: 3650 });
    const tags: Record<string, string> = {};
    const registrar = options.registrar === undefined ? GENERATOR_ENV.REGISTRAR_ID : options.registrar;
    if (registrar !== null) tags['cdk-iot-security:registrar'] = registrar;
    if (options.verifierName) tags['cdk-iot-security:verifier'] = options.verifierName;
    this.cas.set(ca.certificateId, {
      status: options.status ?? 'ACTIVE',
      autoRegistrationStatus: options.autoRegistrationStatus ?? 'ENABLE',
      registrationConfig: options.registrationConfig === null ? undefined : options.registrationConfig ?? { templateName: CN_TEMPLATE_NAME },
      tags,
      certificatePem: ca.certificatePem,
    });
    this.objects.set(vaultKey(ca.certificateId, 'ca.cert.pem'), ca.certificatePem);
    if ((options.source ?? 'generated') === 'generated') this.objects.set(vaultKey(ca.certificateId, 'ca.private_key.pem'), ca.privateKeyPem!);
    if (ca.kmsKeyArn) {
      const { keySpec, signingAlgorithm } = KMS_CA_KEY_ALGORITHMS[keyAlgorithm];
      this.objects.set(vaultKey(ca.certificateId, 'ca.kms_key.json'), JSON.stringify({ keyArn: ca.kmsKeyArn, keySpec, signingAlgorithm }));
    }
    return ca;
  }

  /** A key in the fake KMS (as the registrator's CreateKey would make it). */
  async addKmsKey(keyAlgorithm: KeyAlgorithm): Promise<{ keyArn: string; key: FakeKmsKey }> {
    const material = await generateAsymmetricKey(KMS_CA_KEY_ALGORITHMS[keyAlgorithm].keySpec as AsymmetricKeyMaterial['spec']);
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${this.kmsKeys.size}-ca-key`;
    const key: FakeKmsKey = { material, state: 'Enabled' };
    this.kmsKeys.set(keyArn, key);
    return { keyArn, key };
  }

  /** A CA whose key the fake KMS holds: self-signed through it, as the registrator does. */
  private async kmsCa(subject: { commonName: string }, keyAlgorithm: KeyAlgorithm): Promise<SelfSignedCa & { kmsKeyArn: string }> {
    const { keyArn, key } = await this.addKmsKey(keyAlgorithm);
    const { signingAlgorithm, signature } = KMS_CA_KEY_ALGORITHMS[keyAlgorithm];
    const ca = await createSelfSignedCa({
      subject,
      validityDays: 3650,
      subjectPublicKeyInfo: key.material.publicKeyDer,
      signer: { algorithm: signature, sign: async (toBeSigned) => signWithKey(key.material, signingAlgorithm, Buffer.from(toBeSigned), 'RAW') },
    });
    return { ...ca, kmsKeyArn: keyArn };
  }

  install(): this {
    this.templates.set(CN_TEMPLATE_NAME, { body: CN_TEMPLATE_BODY, type: 'JITP', enabled: true });
    this.iot.on(DescribeCACertificateCommand).callsFake((input: { certificateId: string }) => {
      const ca = this.cas.get(input.certificateId);
      if (!ca) throw notFound(`CA certificate ${input.certificateId} does not exist`);
      return {
        certificateDescription: {
          certificateId: input.certificateId,
          certificateArn: caArnOf(input.certificateId),
          certificatePem: ca.certificatePem,
          status: ca.status,
          autoRegistrationStatus: ca.autoRegistrationStatus,
          certificateMode: 'DEFAULT',
        },
        registrationConfig: ca.registrationConfig,
      };
    });
    this.iot.on(ListTagsForResourceCommand).callsFake((input: { resourceArn: string }) => {
      const entry = [...this.cas.entries()].find(([id]) => caArnOf(id) === input.resourceArn);
      if (!entry) throw notFound(`resource ${input.resourceArn} does not exist`);
      return { tags: Object.entries(entry[1].tags).map(([Key, Value]) => ({ Key, Value })) };
    });
    this.iot.on(DescribeProvisioningTemplateCommand).callsFake((input: { templateName: string }) => {
      const template = this.templates.get(input.templateName);
      if (!template) throw notFound(`provisioning template ${input.templateName} does not exist`);
      return {
        templateName: input.templateName,
        templateArn: `arn:aws:iot:${REGION}:${ACCOUNT}:provisioningtemplate/${input.templateName}`,
        templateBody: template.body,
        enabled: template.enabled,
        type: template.type,
        provisioningRoleArn: PROVISIONING_ROLE_ARN,
      };
    });
    this.iot.on(DescribeEndpointCommand).resolves({ endpointAddress: ENDPOINT });

    this.s3.on(GetObjectCommand).callsFake(async (input: GetObjectCommandInput) => {
      if (input.Key!.includes('/issued/')) await this.beforeIssuedRecordRead?.();
      const text = this.objects.get(input.Key!);
      if (text === undefined) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      return { Body: { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'] };
    });
    this.s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
      if (input.IfNoneMatch === '*' && this.objects.has(input.Key!)) {
        throw new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', message: 'At least one of the pre-conditions you specified did not hold', $metadata: { httpStatusCode: 412 } });
      }
      this.objects.set(input.Key!, input.Body as string);
      return { ETag: '"etag"' };
    });

    this.kms.on(SignCommand).callsFake((input: SignCommandInput) => {
      const key = this.kmsKeys.get(input.KeyId!);
      if (!key) throw new Error(`the fake KMS has no key ${input.KeyId}`);
      if (key.state !== 'Enabled') throw new KMSInvalidStateException({ message: `${input.KeyId} is pending deletion.`, $metadata: { httpStatusCode: 400 } });
      const signature = signWithKey(key.material, input.SigningAlgorithm!, Buffer.from(input.Message!), (input.MessageType ?? 'RAW') as 'RAW' | 'DIGEST');
      return { KeyId: input.KeyId, Signature: new Uint8Array(signature), SigningAlgorithm: input.SigningAlgorithm };
    });

    this.lambda.on(InvokeCommand).callsFake((input: InvokeCommandInput) => {
      const payload = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8')) as Record<string, unknown>;
      const answer = typeof this.verifierAnswer === 'function' ? (this.verifierAnswer as (i: Record<string, unknown>) => unknown)(payload) : this.verifierAnswer;
      return {
        StatusCode: 200,
        FunctionError: this.verifierFunctionError,
        Payload: Buffer.from(typeof answer === 'string' ? answer : JSON.stringify(answer)),
      } as unknown as InvokeCommandOutput;
    });
    return this;
  }

  /** Issued records in the vault: key -> parsed record. */
  issuedRecords(): Record<string, { certificateId: string; certificatePem: string; issuedAt: string }> {
    return Object.fromEntries([...this.objects.entries()].filter(([key]) => key.includes('/issued/')).map(([key, text]) => [key, JSON.parse(text)]));
  }
}

export function vaultKey(caId: string, file: string): string {
  return `${VAULT_PREFIX_NORMALIZED}/${caId}/${file}`;
}

/** Names of every IoT command sent that could change something (anything but Describe/List/Get). */
export function iotWrites(iot: Mocks['iot']): string[] {
  return iot.calls()
    .map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
    .filter((name) => !/^(Describe|List|Get)/.test(name));
}

/** Captures the handler's structured log lines (stdout) for the duration of a test. */
export function captureLogs(): { lines: () => Record<string, unknown>[]; raw: () => string; restore: () => void } {
  const raw: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    raw.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  return {
    lines: () => raw.join('').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
    raw: () => raw.join(''),
    restore: () => spy.mockRestore(),
  };
}

/** CSRs made by `openssl req`, the way a device or a factory would make them. */
export class CsrFactory {
  readonly openssl = new OpensslWorkspace();
  private counter = 0;

  /** A fresh key (`rsa:2048` or an EC curve) and a CSR for `subject` (openssl -subj form). */
  make(key: 'rsa:2048' | 'P-256' | 'P-384', subject: string): { csrPem: string; keyPem: string } {
    const name = `device-${this.counter++}`;
    const newKey = key === 'rsa:2048' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${key}`];
    this.openssl.run('req', '-new', ...newKey, '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    return { csrPem: this.openssl.read(`${name}.csr`), keyPem: this.openssl.read(`${name}.key`) };
  }

  dispose(): void {
    this.openssl.dispose();
  }
}

/** What every generator test file works with; the mutable members are set by the hooks. */
export interface GeneratorHarness {
  readonly iot: Mocks['iot'];
  readonly s3: Mocks['s3'];
  readonly lambda: Mocks['lambda'];
  readonly kms: Mocks['kms'];
  handler: Handler;
  world: FakeWorld;
  logs: ReturnType<typeof captureLogs>;
  /** Calls the handler and parses its answer. */
  post(body: unknown): Promise<ParsedResponse>;
}

/**
 * Registers the hooks every generator test file needs: the handler loaded once (with `extraEnv` over the
 * construct's environment), a fresh world and captured logs per test.
 */
export function useGeneratorHarness(extraEnv: Record<string, string> = {}): GeneratorHarness {
  const harness = newMocks() as GeneratorHarness;
  harness.post = async (body) => parseResponse(await harness.handler(generateEvent(body)));
  beforeAll(() => {
    harness.handler = loadGenerator(extraEnv);
  });
  afterAll(() => {
    harness.iot.restore();
    harness.s3.restore();
    harness.lambda.restore();
    harness.kms.restore();
  });
  beforeEach(() => {
    harness.iot.reset();
    harness.s3.reset();
    harness.lambda.reset();
    harness.kms.reset();
    harness.world = new FakeWorld(harness.iot, harness.s3, harness.lambda, harness.kms).install();
    harness.logs = captureLogs();
  });
  afterEach(() => harness.logs.restore());
  return harness;
}

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeCACertificateCommand, GetRegistrationCodeCommand, IoTClient, ResourceNotFoundException } from '@aws-sdk/client-iot';
import {
  CreateKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  type CreateKeyCommandInput,
  type SignCommandInput,
} from '@aws-sdk/client-kms';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { generateAsymmetricKey, signWithKey, type AsymmetricKeyMaterial } from '../../../local/runner/kms/asymmetric-key';

/** The environment the construct gives the CA registrator, as it is read at module load. */
export const REGISTRATOR_ENV = {
  AWS_REGION: 'eu-west-1',
  VAULT_BUCKET: 'iot-ca-vault-bucket',
  // Written with stray slashes on purpose: the handler must normalize them.
  VAULT_PREFIX: '/ca-vault/',
  VAULT_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9',
  REGISTRAR_ID: 'stack-7f3a9c',
  VERIFIER_NAMES: JSON.stringify(['acme-verifier', 'allow-list']),
  DEFAULT_KEY_ALGORITHM: 'ECDSA-P256',
  DEFAULT_CA_VALIDITY_DAYS: '730',
} as const;

export const VAULT_PREFIX_NORMALIZED = 'ca-vault';

/** What GetRegistrationCode answers in these tests (64 hex characters, like AWS's). */
export const REGISTRATION_CODE = '7d1e5f0a9b8c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e';

export type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Sets the registrator's environment (plus `extraEnv`), then loads its handler (which reads the environment at load). */
export function loadRegistrator(extraEnv: Record<string, string> = {}): Handler {
  Object.assign(process.env, REGISTRATOR_ENV, extraEnv);
  // Loaded from the test's own module registry, so its SDK clients are the ones aws-sdk-client-mock stubs.
  const module = jest.requireActual<typeof import('../../../lambda-assets/ca-registrator')>('../../../lambda-assets/ca-registrator');
  return (event) => module.handler(event);
}

/** An API Gateway proxy event for POST /caRegister; a string body is sent as is, anything else as JSON. */
export function caRegisterEvent(body: unknown, isBase64Encoded = false): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/caRegister',
    resource: '/caRegister',
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded,
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
  expect(result.headers?.['content-type']).toBe('application/json');
  return { statusCode: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown>, raw: result.body };
}

/** Runs openssl on PEM files in a scratch directory, so certificates are judged by a tool we did not write. */
export class OpenSsl {
  private readonly dir = mkdtempSync(join(tmpdir(), 'ca-registrator-test-'));
  private counter = 0;

  text(pem: string): string {
    return execFileSync('openssl', ['x509', '-noout', '-text', '-in', this.file(pem)], { encoding: 'utf8' });
  }

  subject(pem: string): string {
    return execFileSync('openssl', ['x509', '-noout', '-subject', '-nameopt', 'RFC2253', '-in', this.file(pem)], { encoding: 'utf8' }).trim();
  }

  /** `openssl x509 -serial`: "serial=<upper-case hex>". */
  serial(pem: string): string {
    return execFileSync('openssl', ['x509', '-noout', '-serial', '-in', this.file(pem)], { encoding: 'utf8' }).trim();
  }

  /** `openssl verify -CAfile ca leaf`: status 0 and "OK" when the CA signed the certificate. */
  verify(caPem: string, certificatePem: string): { status: number | null; output: string } {
    const run = spawnSync('openssl', ['verify', '-CAfile', this.file(caPem), this.file(certificatePem)], { encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  }

  /** openssl's own parse of a private key; throws if it is not one. */
  privateKeyType(pem: string): string {
    return execFileSync('openssl', ['pkey', '-noout', '-text', '-in', this.file(pem)], { encoding: 'utf8' }).split('\n')[0];
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private file(content: string): string {
    const path = join(this.dir, `${this.counter++}.pem`);
    writeFileSync(path, content);
    return path;
  }
}

/** Captures the handler's structured log lines (stdout) for the duration of a test. */
export function captureLogs(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}

/** Sinon numbers every call of every stub from one counter (its typings leave `callId` out). */
export function callIdOf(call: object): number {
  return (call as { callId: number }).callId;
}

/** Calls of one or more client mocks merged in the order they happened, as command names. */
export function callLog(...mocks: { calls(): object[] }[]): string[] {
  return mocks
    .flatMap((mock) => mock.calls())
    .sort((a, b) => callIdOf(a) - callIdOf(b))
    .map((call) => ((call as { args: object[] }).args[0]).constructor.name.replace(/Command$/, ''));
}

function newMocks() {
  return { iot: mockClient(IoTClient), s3: mockClient(S3Client), kms: mockClient(KMSClient) };
}
type IotMock = ReturnType<typeof newMocks>['iot'];
type S3Mock = ReturnType<typeof newMocks>['s3'];
type KmsMock = ReturnType<typeof newMocks>['kms'];

/** A key of the fake KMS: real key material, so signatures verify. */
export interface FakeKmsKey {
  readonly arn: string;
  readonly material: AsymmetricKeyMaterial;
  readonly input: CreateKeyCommandInput;
  readonly tags: Record<string, string>;
  pendingDeletionDays?: number;
}

/**
 * KMS behind aws-sdk-client-mock, with real key pairs (the local KMS's key material): CreateKey,
 * GetPublicKey, Sign (RAW or DIGEST), TagResource, ScheduleKeyDeletion.
 */
export class FakeKms {
  readonly keys = new Map<string, FakeKmsKey>();

  constructor(private readonly kms: KmsMock) {}

  install(): this {
    this.kms.on(CreateKeyCommand).callsFake(async (input: CreateKeyCommandInput) => {
      const arn = `arn:aws:kms:eu-west-1:123456789012:key/${this.keys.size}-fake`;
      const material = await generateAsymmetricKey(input.KeySpec as AsymmetricKeyMaterial['spec']);
      this.keys.set(arn, { arn, material, input, tags: {} });
      return { KeyMetadata: { Arn: arn, KeyId: arn.split('/')[1], KeySpec: input.KeySpec, KeyUsage: input.KeyUsage } };
    });
    this.kms.on(GetPublicKeyCommand).callsFake((input: { KeyId: string }) => {
      const key = this.key(input.KeyId);
      return { KeyId: key.arn, PublicKey: new Uint8Array(key.material.publicKeyDer), KeySpec: key.material.spec, KeyUsage: 'SIGN_VERIFY' };
    });
    this.kms.on(SignCommand).callsFake((input: SignCommandInput) => {
      const key = this.key(input.KeyId!);
      return { KeyId: key.arn, SigningAlgorithm: input.SigningAlgorithm, Signature: new Uint8Array(signWithKey(key.material, input.SigningAlgorithm!, Buffer.from(input.Message!), (input.MessageType ?? 'RAW') as 'RAW' | 'DIGEST')) };
    });
    this.kms.on(TagResourceCommand).callsFake((input: { KeyId: string; Tags: { TagKey: string; TagValue: string }[] }) => {
      for (const tag of input.Tags) this.key(input.KeyId).tags[tag.TagKey] = tag.TagValue;
      return {};
    });
    this.kms.on(ScheduleKeyDeletionCommand).callsFake((input: { KeyId: string; PendingWindowInDays: number }) => {
      this.key(input.KeyId).pendingDeletionDays = input.PendingWindowInDays;
      return { KeyId: input.KeyId, KeyState: 'PendingDeletion' };
    });
    return this;
  }

  only(): FakeKmsKey {
    expect(this.keys.size).toBe(1);
    return [...this.keys.values()][0];
  }

  private key(keyId: string): FakeKmsKey {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`the fake KMS has no key ${keyId}`);
    return key;
  }
}

/** What every CA registrator test file works with; `handler`, `fakeKms` and `logs` are set by the hooks. */
export interface RegistratorHarness {
  readonly iot: IotMock;
  readonly s3: S3Mock;
  readonly kms: KmsMock;
  handler: Handler;
  fakeKms: FakeKms;
  logs: ReturnType<typeof captureLogs>;
}

/**
 * Registers the hooks every CA registrator test file needs: the handler loaded once with its
 * environment, mocks reset before each test with the answers most tests want (a registration
 * code, no CA registered yet, vault writes succeed), then `configure` for the file's own, and
 * logs captured per test. `extraEnv` adds to the construct's environment (REGISTRATION_CONFIG, say).
 */
export function useRegistratorHarness(
  configure: (iot: IotMock, s3: S3Mock, kms: KmsMock) => void = () => undefined,
  extraEnv: Record<string, string> = {},
): RegistratorHarness {
  const harness = newMocks() as RegistratorHarness;
  beforeAll(() => {
    harness.handler = loadRegistrator(extraEnv);
  });
  afterAll(() => {
    harness.iot.restore();
    harness.s3.restore();
    harness.kms.restore();
  });
  beforeEach(() => {
    harness.iot.reset();
    harness.s3.reset();
    harness.kms.reset();
    harness.iot.on(GetRegistrationCodeCommand).resolves({ registrationCode: REGISTRATION_CODE });
    harness.iot.on(DescribeCACertificateCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    harness.s3.on(PutObjectCommand).resolves({});
    harness.fakeKms = new FakeKms(harness.kms).install();
    configure(harness.iot, harness.s3, harness.kms);
    harness.logs = captureLogs();
  });
  afterEach(() => harness.logs.restore());
  return harness;
}

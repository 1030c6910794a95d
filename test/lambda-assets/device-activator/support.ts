import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  AttachThingPrincipalCommandInput,
  CertificateStatus,
  CreateThingCommand,
  CreateThingCommandInput,
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  InvalidRequestException,
  IoTClient,
  ListTagsForResourceCommand,
  ListThingPrincipalsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { createCaCertificate, GeneratedCa, issueDeviceCertificateWithNewKey } from '../../../lambda-assets/shared/pki';
import type { SubjectFields } from '../../../lambda-assets/shared/pki';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** The environment the construct gives the device activator. */
export const ACTIVATOR_ENV = {
  AWS_REGION: REGION,
  REGISTRAR_ID: 'stack-7f3a9c',
  DEVICE_POLICY_NAME: 'JitrDevicePolicy-1A2B3C',
  VERIFIER_ARNS: JSON.stringify({
    'acme-verifier': `arn:aws:lambda:${REGION}:${ACCOUNT}:function:acme-verifier`,
  }),
} as const;

export type ActivatorHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Sets the activator's environment, then loads its handler (which reads the environment at load). */
export function loadActivator(extraEnv: Record<string, string> = {}): ActivatorHandler {
  Object.assign(process.env, ACTIVATOR_ENV, extraEnv);
  // From the test's own module registry, so its SDK clients are the ones aws-sdk-client-mock stubs.
  const module = jest.requireActual<typeof import('../../../lambda-assets/device-activator')>('../../../lambda-assets/device-activator');
  return (event, context) => module.handler(event, context);
}

export function caArnOf(caId: string): string {
  return `arn:aws:iot:${REGION}:${ACCOUNT}:cacert/${caId}`;
}

export function certificateArnOf(certificateId: string): string {
  return `arn:aws:iot:${REGION}:${ACCOUNT}:cert/${certificateId}`;
}

export interface Device {
  readonly certificateId: string;
  readonly certificateArn: string;
  readonly certificatePem: string;
  readonly caId: string;
}

/** A CA and device certificates it issues, all real, made by our PKI. */
export class TestCa {
  static async create(commonName = 'Activator Test CA'): Promise<TestCa> {
    return new TestCa(await createCaCertificate({ subject: { commonName }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 }));
  }

  private constructor(readonly ca: GeneratedCa) {}

  get id(): string {
    return this.ca.certificateId;
  }

  async device(subject: SubjectFields): Promise<Device> {
    const issued = await issueDeviceCertificateWithNewKey(this.ca.authority, { keyAlgorithm: 'ECDSA-P256', subject, validityDays: 30 });
    return {
      certificateId: issued.certificateId,
      certificateArn: certificateArnOf(issued.certificateId),
      certificatePem: issued.certificatePem,
      caId: this.id,
    };
  }
}

/** The certificate-registered event AWS IoT publishes for a JITR device (AWS-FACTS.md). */
export function registeredEvent(device: { certificateId: string; caId: string }): Record<string, unknown> {
  return {
    certificateId: device.certificateId,
    caCertificateId: device.caId,
    timestamp: 1_760_000_000_000,
    certificateStatus: 'PENDING_ACTIVATION',
    awsAccountId: ACCOUNT,
    certificateRegistrationTimestamp: '1760000000000',
  };
}

let messageCounter = 0;

export function sqsRecord(body: unknown, messageId = `msg-${++messageCounter}`): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1760000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1760000000001',
    },
    messageAttributes: {},
    md5OfBody: '0'.repeat(32),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:jitr-events`,
    awsRegion: REGION,
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** One event per device, each in its own SQS record. */
export function eventFor(...devices: Device[]): SQSEvent {
  return sqsEvent(...devices.map((device) => sqsRecord(registeredEvent(device))));
}

interface FakeCertificate {
  arn: string;
  pem: string;
  caId: string;
  status: CertificateStatus;
}

interface FakeThing {
  attributes: Record<string, string>;
  principals: { arn: string; exclusive: boolean }[];
}

/** How an injected fault hits a command: before AWS applied it, or after (the answer is lost, e.g. a timeout). */
export type FaultTiming = 'before' | 'after';

type CommandName =
  | 'DescribeCACertificate' | 'ListTagsForResource' | 'DescribeCertificate' | 'CreateThing'
  | 'ListThingPrincipals' | 'AttachPolicy' | 'AttachThingPrincipal' | 'UpdateCertificate';

const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 404 } });

/**
 * A small stateful stand-in for the AWS IoT registry behind aws-sdk-client-mock: CAs with tags,
 * certificates with a status, things with principals, policy targets. Calls that AWS makes
 * idempotent are idempotent here too, so re-deliveries can be checked for convergence.
 */
export class FakeIotRegistry {
  readonly cas = new Map<string, { arn: string; tags: { Key: string; Value: string }[] }>();
  readonly certificates = new Map<string, FakeCertificate>();
  readonly things = new Map<string, FakeThing>();
  readonly policyTargets = new Map<string, Set<string>>();
  /** Every status change, in order: the audit trail of UpdateCertificate calls that took effect. */
  readonly statusChanges: { certificateId: string; newStatus: string }[] = [];
  private readonly faults: { command: CommandName; error: Error; timing: FaultTiming; remaining: number; when: (input: never) => boolean }[] = [];

  constructor(private readonly mock: AwsClientStub<IoTClient>) {}

  addCa(caId: string, tags: Record<string, string>): void {
    this.cas.set(caId, { arn: caArnOf(caId), tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
  }

  /** The certificate as JITR leaves it: registered, PENDING_ACTIVATION. */
  addCertificate(device: Device, status: CertificateStatus = 'PENDING_ACTIVATION'): void {
    this.certificates.set(device.certificateId, { arn: device.certificateArn, pem: device.certificatePem, caId: device.caId, status });
  }

  addThing(name: string, principals: string[] = [], attributes: Record<string, string> = {}): void {
    this.things.set(name, { attributes, principals: principals.map((arn) => ({ arn, exclusive: false })) });
  }

  /**
   * The next `times` calls of `command` (whose input satisfies `when`, if given) fail with
   * `error`, before or after taking effect.
   */
  failNext<I = Record<string, unknown>>(
    command: CommandName,
    error: Error,
    options: { times?: number; timing?: FaultTiming; when?: (input: I) => boolean } = {},
  ): void {
    this.faults.push({
      command,
      error,
      timing: options.timing ?? 'before',
      remaining: options.times ?? 1,
      when: (options.when ?? (() => true)) as (input: never) => boolean,
    });
  }

  statusOf(certificateId: string): string | undefined {
    return this.certificates.get(certificateId)?.status;
  }

  install(): this {
    const m = this.mock;
    m.on(DescribeCACertificateCommand).callsFake((input: { certificateId: string }) => this.run('DescribeCACertificate', input, () => {
      const ca = this.cas.get(input.certificateId);
      if (!ca) throw notFound(`CA certificate ${input.certificateId} does not exist`);
      return {
        certificateDescription: { certificateId: input.certificateId, certificateArn: ca.arn, status: 'ACTIVE', autoRegistrationStatus: 'ENABLE' },
      };
    }));
    m.on(ListTagsForResourceCommand).callsFake((input: { resourceArn: string; nextToken?: string }) => this.run('ListTagsForResource', input, () => {
      const ca = [...this.cas.values()].find((candidate) => candidate.arn === input.resourceArn);
      if (!ca) throw notFound(`resource ${input.resourceArn} does not exist`);
      // One tag per page, so the handler's pagination is exercised.
      const index = input.nextToken ? Number(input.nextToken) : 0;
      return {
        tags: ca.tags.slice(index, index + 1),
        nextToken: index + 1 < ca.tags.length ? String(index + 1) : undefined,
      };
    }));
    m.on(DescribeCertificateCommand).callsFake((input: { certificateId: string }) => this.run('DescribeCertificate', input, () => {
      const certificate = this.certificates.get(input.certificateId);
      if (!certificate) throw notFound(`certificate ${input.certificateId} does not exist`);
      return {
        certificateDescription: {
          certificateId: input.certificateId,
          certificateArn: certificate.arn,
          certificatePem: certificate.pem,
          caCertificateId: certificate.caId,
          status: certificate.status,
        },
      };
    }));
    m.on(CreateThingCommand).callsFake((input: CreateThingCommandInput) => this.run('CreateThing', input, () => {
      const attributes = input.attributePayload?.attributes ?? {};
      const existing = this.things.get(input.thingName!);
      if (existing) {
        // AWS: identical input is a no-op success; other attributes -> ResourceAlreadyExistsException.
        if (JSON.stringify(existing.attributes) !== JSON.stringify(attributes)) {
          throw new ResourceAlreadyExistsException({
            message: `Thing ${input.thingName} already exists with different tags or attributes`,
            resourceId: input.thingName,
            resourceArn: this.thingArn(input.thingName!),
            $metadata: { httpStatusCode: 409 },
          });
        }
      } else {
        this.things.set(input.thingName!, { attributes: { ...attributes }, principals: [] });
      }
      return { thingName: input.thingName, thingArn: this.thingArn(input.thingName!), thingId: `id-${input.thingName}` };
    }));
    m.on(ListThingPrincipalsCommand).callsFake((input: { thingName: string; nextToken?: string }) => this.run('ListThingPrincipals', input, () => {
      const thing = this.things.get(input.thingName);
      if (!thing) throw notFound(`thing ${input.thingName} does not exist`);
      const index = input.nextToken ? Number(input.nextToken) : 0;
      return {
        principals: thing.principals.slice(index, index + 1).map((principal) => principal.arn),
        nextToken: index + 1 < thing.principals.length ? String(index + 1) : undefined,
      };
    }));
    m.on(AttachPolicyCommand).callsFake((input: { policyName: string; target: string }) => this.run('AttachPolicy', input, () => {
      const targets = this.policyTargets.get(input.policyName) ?? new Set<string>();
      targets.add(input.target);
      this.policyTargets.set(input.policyName, targets);
      return {};
    }));
    m.on(AttachThingPrincipalCommand).callsFake((input: AttachThingPrincipalCommandInput) => this.run('AttachThingPrincipal', input, () => {
      const thing = this.things.get(input.thingName!);
      if (!thing) throw notFound(`thing ${input.thingName} does not exist`);
      const elsewhere = [...this.things.entries()].find(([name, other]) =>
        name !== input.thingName && other.principals.some((principal) => principal.arn === input.principal && principal.exclusive));
      if (elsewhere) throw new InvalidRequestException({ message: 'principal is exclusively attached to another thing', $metadata: {} });
      if (!thing.principals.some((principal) => principal.arn === input.principal)) {
        thing.principals.push({ arn: input.principal!, exclusive: input.thingPrincipalType === 'EXCLUSIVE_THING' });
      }
      return {};
    }));
    m.on(UpdateCertificateCommand).callsFake((input: { certificateId: string; newStatus: CertificateStatus }) => this.run('UpdateCertificate', input, () => {
      const certificate = this.certificates.get(input.certificateId);
      if (!certificate) throw notFound(`certificate ${input.certificateId} does not exist`);
      certificate.status = input.newStatus;
      this.statusChanges.push({ certificateId: input.certificateId, newStatus: input.newStatus });
      return {};
    }));
    return this;
  }

  private thingArn(name: string): string {
    return `arn:aws:iot:${REGION}:${ACCOUNT}:thing/${name}`;
  }

  private async run<T>(command: CommandName, input: object, apply: () => T): Promise<T> {
    const fault = this.faults.find((candidate) => candidate.command === command && candidate.remaining > 0 && candidate.when(input as never));
    if (fault) {
      fault.remaining--;
      if (fault.timing === 'after') apply();
      throw fault.error;
    }
    return apply();
  }
}

/** The command names of a mock's calls, in order. */
export function commandNames(mock: { calls(): { args: readonly unknown[] }[] }): string[] {
  return mock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}

/** Captures the handler's structured log lines (stdout) for the duration of a test. */
export function captureLogs(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  const raw: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    raw.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  return {
    lines: () => raw.join('').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => spy.mockRestore(),
  };
}

function newActivatorMocks() {
  return { iot: mockClient(IoTClient), lambda: mockClient(LambdaClient) };
}

/** What the activator test files work with; `handler`, `registry` and `logs` are set by the hooks. */
export interface ActivatorHarness {
  readonly iot: ReturnType<typeof newActivatorMocks>['iot'];
  readonly lambda: ReturnType<typeof newActivatorMocks>['lambda'];
  handler: ActivatorHandler;
  registry: FakeIotRegistry;
  logs: ReturnType<typeof captureLogs>;
}

/**
 * Registers the hooks the activator test files share: the handler loaded once with its
 * environment, mocks reset and a fresh fake registry installed before each test, logs captured.
 */
export function useActivatorHarness(): ActivatorHarness {
  const harness = newActivatorMocks() as ActivatorHarness;
  beforeAll(() => {
    harness.handler = loadActivator();
  });
  afterAll(() => {
    harness.iot.restore();
    harness.lambda.restore();
  });
  beforeEach(() => {
    harness.iot.reset();
    harness.lambda.reset();
    harness.registry = new FakeIotRegistry(harness.iot).install();
    harness.logs = captureLogs();
  });
  afterEach(() => harness.logs.restore());
  return harness;
}

import {
  AttachPolicyCommand,
  CertificateStatus,
  CreateKeysAndCertificateCommand,
  DeleteCertificateCommand,
  DeleteConflictException,
  DescribeCertificateCommand,
  DetachPolicyCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ResourceNotFoundException,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { DeleteObjectsCommand, DeleteObjectsCommandInput, PutObjectCommand, PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
  Context,
} from 'aws-lambda';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { ClaimResource } from '../../../lambda-assets/claim-certificate-issuer/claim-certificate';
import { createCaCertificate, GeneratedCa, issueDeviceCertificateWithNewKey } from '../../../lambda-assets/shared/pki';
import { captureLogs } from '../device-activator/support';

export { captureLogs };

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/FleetStack/5b2a4c10-1f1e-11f0-9a2b-0a1b2c3d4e5f`;
export const SERVICE_TOKEN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:FleetStack-ClaimProviderframeworkonEvent`;
export const CLAIM_POLICY = 'FleetClaimPolicy-1A2B3C';
export const OTHER_POLICY = 'FleetClaimPolicy-4D5E6F';
export const TEMPLATE_NAME = 'FleetTemplate-1A2B3C';

/** The environment the FleetProvision construct gives the claim issuer. */
export const ISSUER_ENV = {
  AWS_REGION: REGION,
  VAULT_BUCKET: 'iot-ca-vault-bucket',
  // Stray slashes on purpose: the handler must normalize them.
  VAULT_PREFIX: '/ca-vault/',
  VAULT_KEY_ARN: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9`,
} as const;

export type IssuerHandler = (event: CloudFormationCustomResourceEvent, context?: Context) => Promise<ClaimResource>;

/** Sets the issuer's environment, then loads its handler (it reads the environment at load). */
export function loadIssuer(): IssuerHandler {
  Object.assign(process.env, ISSUER_ENV);
  // From the test's own module registry, so its SDK clients are the ones aws-sdk-client-mock stubs.
  const module = jest.requireActual<typeof import('../../../lambda-assets/claim-certificate-issuer')>('../../../lambda-assets/claim-certificate-issuer');
  return (event, context) => module.handler(event, context);
}

export function claimKey(certificateId: string, file: 'claim.cert.pem' | 'claim.private_key.pem'): string {
  return `ca-vault/claims/${certificateId}/${file}`;
}

export function certificateArnOf(certificateId: string): string {
  return `arn:aws:iot:${REGION}:${ACCOUNT}:cert/${certificateId}`;
}

const common = {
  ServiceToken: SERVICE_TOKEN,
  ResponseURL: 'https://cloudformation-custom-resource-response.example/x',
  StackId: STACK_ID,
  LogicalResourceId: 'FleetClaim1A2B3C',
  ResourceType: 'Custom::FleetClaimCertificate',
};

function properties(claimPolicyName: unknown, templateName: unknown = TEMPLATE_NAME) {
  return { ServiceToken: SERVICE_TOKEN, ClaimPolicyName: claimPolicyName as string, TemplateName: templateName as string };
}

/** The events as the CDK Provider framework hands them to onEvent. */
export function createEvent(claimPolicyName: unknown = CLAIM_POLICY, templateName?: unknown): CloudFormationCustomResourceCreateEvent {
  return { ...common, RequestType: 'Create', RequestId: 'req-create', ResourceProperties: properties(claimPolicyName, templateName) };
}

export function updateEvent(
  physicalResourceId: string,
  claimPolicyName: string,
  oldClaimPolicyName: string,
): CloudFormationCustomResourceUpdateEvent {
  return {
    ...common,
    RequestType: 'Update',
    RequestId: 'req-update',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: properties(claimPolicyName),
    OldResourceProperties: properties(oldClaimPolicyName),
  };
}

export function deleteEvent(physicalResourceId: string, claimPolicyName: unknown = CLAIM_POLICY): CloudFormationCustomResourceDeleteEvent {
  return { ...common, RequestType: 'Delete', RequestId: 'req-delete', PhysicalResourceId: physicalResourceId, ResourceProperties: properties(claimPolicyName) };
}

type IotCommandName = 'CreateKeysAndCertificate' | 'AttachPolicy' | 'DetachPolicy' | 'DescribeCertificate' | 'ListAttachedPolicies' | 'UpdateCertificate'
  | 'DeleteCertificate';
type S3CommandName = 'PutObject' | 'DeleteObjects';
export type FaultTiming = 'before' | 'after';

const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 404 } });

interface FakeCertificate {
  arn: string;
  pem: string;
  status: CertificateStatus;
}

/**
 * A small stateful stand-in for what the issuer touches: AWS IoT certificates, policies and their
 * targets, and the vault bucket's objects (with the encryption each was written with). The
 * certificates and keys are real, made by our PKI under a stand-in for Amazon's CA.
 */
export class FakeAws {
  readonly certificates = new Map<string, FakeCertificate>();
  /** policy name -> targets; a policy must exist to be attached. */
  readonly policies = new Map<string, Set<string>>();
  readonly objects = new Map<string, PutObjectCommandInput>();
  /** The private keys CreateKeysAndCertificate handed out: none may appear in a log line. */
  readonly privateKeys: string[] = [];
  private readonly faults: { command: IotCommandName | S3CommandName; error: Error; timing: FaultTiming; remaining: number }[] = [];
  private ca?: GeneratedCa;

  constructor(private readonly iot: AwsClientStub<IoTClient>, private readonly s3: AwsClientStub<S3Client>) {}

  addPolicy(name: string): this {
    this.policies.set(name, new Set());
    return this;
  }

  /** The next `times` calls of `command` fail with `error`, before or after taking effect. */
  failNext(command: IotCommandName | S3CommandName, error: Error, options: { times?: number; timing?: FaultTiming } = {}): void {
    this.faults.push({ command, error, timing: options.timing ?? 'before', remaining: options.times ?? 1 });
  }

  policiesOf(certificateArn: string): string[] {
    return [...this.policies.entries()].filter(([, targets]) => targets.has(certificateArn)).map(([name]) => name).sort();
  }

  install(): this {
    const { iot, s3 } = this;
    iot.on(CreateKeysAndCertificateCommand).callsFake((input: { setAsActive?: boolean }) => this.run('CreateKeysAndCertificate', async () => {
      this.ca ??= await createCaCertificate({ subject: { commonName: 'Amazon IoT CA (test stand-in)' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
      const issued = await issueDeviceCertificateWithNewKey(this.ca.authority, {
        keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'AWS IoT Certificate' }, validityDays: 30,
      });
      const arn = certificateArnOf(issued.certificateId);
      this.certificates.set(issued.certificateId, { arn, pem: issued.certificatePem, status: input.setAsActive ? 'ACTIVE' : 'INACTIVE' });
      this.privateKeys.push(issued.privateKeyPem);
      return {
        certificateId: issued.certificateId,
        certificateArn: arn,
        certificatePem: issued.certificatePem,
        keyPair: { PublicKey: issued.publicKeyPem, PrivateKey: issued.privateKeyPem },
      };
    }));
    iot.on(AttachPolicyCommand).callsFake((input: { policyName: string; target: string }) => this.run('AttachPolicy', async () => {
      const targets = this.policies.get(input.policyName);
      if (!targets) throw notFound(`Policy ${input.policyName} does not exist`);
      if (![...this.certificates.values()].some((certificate) => certificate.arn === input.target)) throw notFound(`Target ${input.target} does not exist`);
      targets.add(input.target);
      return {};
    }));
    iot.on(DetachPolicyCommand).callsFake((input: { policyName: string; target: string }) => this.run('DetachPolicy', async () => {
      const targets = this.policies.get(input.policyName);
      if (!targets) throw notFound(`Policy ${input.policyName} does not exist`);
      targets.delete(input.target);
      return {};
    }));
    iot.on(DescribeCertificateCommand).callsFake((input: { certificateId: string }) => this.run('DescribeCertificate', async () => {
      const certificate = this.certificates.get(input.certificateId);
      if (!certificate) throw notFound(`Certificate ${input.certificateId} does not exist`);
      return {
        certificateDescription: {
          certificateId: input.certificateId, certificateArn: certificate.arn, certificatePem: certificate.pem, status: certificate.status,
        },
      };
    }));
    iot.on(ListAttachedPoliciesCommand).callsFake((input: { target: string; marker?: string }) => this.run('ListAttachedPolicies', async () => {
      if (![...this.certificates.values()].some((certificate) => certificate.arn === input.target)) throw notFound(`Target ${input.target} does not exist`);
      // One policy per page, so the handler's pagination is exercised.
      const names = this.policiesOf(input.target);
      const index = input.marker ? Number(input.marker) : 0;
      return {
        policies: names.slice(index, index + 1).map((policyName) => ({ policyName, policyArn: `arn:aws:iot:${REGION}:${ACCOUNT}:policy/${policyName}` })),
        nextMarker: index + 1 < names.length ? String(index + 1) : undefined,
      };
    }));
    iot.on(UpdateCertificateCommand).callsFake((input: { certificateId: string; newStatus: CertificateStatus }) => this.run('UpdateCertificate', async () => {
      const certificate = this.certificates.get(input.certificateId);
      if (!certificate) throw notFound(`Certificate ${input.certificateId} does not exist`);
      certificate.status = input.newStatus;
      return {};
    }));
    iot.on(DeleteCertificateCommand).callsFake((input: { certificateId: string }) => this.run('DeleteCertificate', async () => {
      const certificate = this.certificates.get(input.certificateId);
      if (!certificate) throw notFound(`Certificate ${input.certificateId} does not exist`);
      // AWS IoT's rules: no ACTIVE certificate, and none with policies attached.
      if (certificate.status === 'ACTIVE') throw new Error(`CertificateStateException: certificate ${input.certificateId} is ACTIVE`);
      if (this.policiesOf(certificate.arn).length > 0) {
        throw new DeleteConflictException({ message: 'Certificate policies must be detached before deletion', $metadata: { httpStatusCode: 409 } });
      }
      this.certificates.delete(input.certificateId);
      return {};
    }));
    s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => this.run('PutObject', async () => {
      this.objects.set(input.Key!, input);
      return {};
    }));
    s3.on(DeleteObjectsCommand).callsFake((input: DeleteObjectsCommandInput) => this.run('DeleteObjects', async () => {
      for (const object of input.Delete?.Objects ?? []) this.objects.delete(object.Key!);
      return {};
    }));
    return this;
  }

  private async run<T>(command: IotCommandName | S3CommandName, apply: () => Promise<T>): Promise<T> {
    const fault = this.faults.find((candidate) => candidate.command === command && candidate.remaining > 0);
    if (fault) {
      fault.remaining--;
      if (fault.timing === 'after') await apply();
      throw fault.error;
    }
    return apply();
  }
}

/** The command names of a mock's calls, in order. */
export function commandNames(mock: { calls(): { args: readonly unknown[] }[] }): string[] {
  return mock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}

function newMocks() {
  return { iot: mockClient(IoTClient), s3: mockClient(S3Client) };
}

export interface IssuerHarness {
  readonly iot: ReturnType<typeof newMocks>['iot'];
  readonly s3: ReturnType<typeof newMocks>['s3'];
  handler: IssuerHandler;
  aws: FakeAws;
  logs: ReturnType<typeof captureLogs>;
}

/**
 * The hooks the issuer test files share: the handler loaded once, mocks reset and a fresh fake
 * AWS (with the claim policies) before each test, logs captured and checked for key material.
 */
export function useIssuerHarness(): IssuerHarness {
  const harness = newMocks() as IssuerHarness;
  beforeAll(() => {
    harness.handler = loadIssuer();
  });
  afterAll(() => {
    harness.iot.restore();
    harness.s3.restore();
  });
  beforeEach(() => {
    harness.iot.reset();
    harness.s3.reset();
    harness.aws = new FakeAws(harness.iot, harness.s3).addPolicy(CLAIM_POLICY).addPolicy(OTHER_POLICY).install();
    harness.logs = captureLogs();
  });
  afterEach(() => {
    const text = harness.logs.lines().map((line) => JSON.stringify(line)).join('\n');
    harness.logs.restore();
    expect(text).not.toMatch(/-----BEGIN|PRIVATE KEY/);
    for (const key of harness.aws.privateKeys) expect(text).not.toContain(key.split('\n')[1]);
  });
  return harness;
}

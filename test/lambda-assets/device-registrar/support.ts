import { createHash } from 'node:crypto';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteThingCommand,
  UpdateThingCommand,
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  DescribeThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  IoTClient,
  ListThingPrincipalsCommand,
  ResourceNotFoundException,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { DeleteObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { captureLogs } from '../token-authorizer/support';

export { captureLogs };

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
export const BUCKET = 'registration-ledger-bucket';
export const THING_TYPES = {
  sensor: { thingTypeName: 'GatewayStack-Sensor-1A2B', policyName: 'SensorPolicy-1A2B', attributes: ['line', 'site'] },
  gateway: { thingTypeName: 'GatewayStack-Gateway-3C4D', policyName: 'GatewayPolicy-3C4D', attributes: [] },
  bare: { policyName: 'BarePolicy-5E6F', attributes: ['a', 'b', 'c'] },
};
export const REGISTRAR_ENV = {
  AWS_REGION: REGION,
  THING_TYPES: JSON.stringify(THING_TYPES),
  DEFAULT_THING_TYPE: 'sensor',
  TOKEN_LEDGER_BUCKET: BUCKET,
  TOKEN_LEDGER_PREFIX: '/used-tokens/',
  IOT_MAX_ATTEMPTS: '1',
} as const;

export type Handler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export interface TokenRights {
  tokenId?: string;
  token?: string;
  oneTime?: boolean;
  allowReissue?: boolean;
  thingTypes?: string[];
}

export const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** The authorizer context exactly as API Gateway passes the token authorizer's to the integration. */
export function authorizerContext(rights: TokenRights = {}) {
  return {
    principalId: rights.tokenId ?? 'line-7',
    tokenId: rights.tokenId ?? 'line-7',
    tokenHash: hashOf(rights.token ?? 'tok-line-7'),
    oneTime: String(rights.oneTime ?? false),
    allowReissue: String(rights.allowReissue ?? false),
    thingTypes: JSON.stringify(rights.thingTypes ?? []),
    integrationLatency: 12,
  };
}

export function registerEvent(body: unknown, rights: TokenRights | null = {}): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/register',
    resource: '/register',
    headers: { 'content-type': 'application/json', 'Authorization': 'Token tok-line-7' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    requestContext: { authorizer: rights === null ? null : authorizerContext(rights) } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export interface ParsedResponse {
  readonly statusCode: number;
  readonly body: Record<string, unknown>;
}

export const certificateArn = (id: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:cert/${id}`;
const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 404 } });
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

/** Stand-ins for AWS IoT's registry and the ledger bucket, behind aws-sdk-client-mock. */
export class FakeCloud {
  readonly things = new Map<string, { thingTypeName?: string; attributes: Record<string, string>; principals: string[] }>();
  readonly certificates = new Map<string, { status: string; policies: string[] }>();
  readonly ledger = new Map<string, string>();
  /** Command name -> the error it throws (once per listed error). */
  readonly failures = new Map<string, Error[]>();
  private counter = 0;

  constructor(readonly iot: AwsClientStub<IoTClient>, readonly s3: AwsClientStub<S3Client>) {}

  fail(command: string, ...errors: Error[]): void {
    this.failures.set(command, [...(this.failures.get(command) ?? []), ...errors]);
  }

  addThing(thingName: string, thingTypeName: string | undefined, certificateStatuses: string[] = ['ACTIVE']): string[] {
    const ids = certificateStatuses.map((status) => {
      const id = this.nextCertificateId();
      this.certificates.set(id, { status, policies: ['SensorPolicy-1A2B'] });
      return id;
    });
    this.things.set(thingName, { thingTypeName, attributes: {}, principals: ids.map(certificateArn) });
    return ids;
  }

  private nextCertificateId(): string {
    return createHash('sha256').update(`certificate-${this.counter++}`).digest('hex');
  }

  private check(command: string): void {
    const error = this.failures.get(command)?.shift();
    if (error) throw error;
  }

  install(): this {
    const { iot, s3 } = this;
    const guarded = <I, O>(name: string, run: (input: I) => O) => (input: I) => {
      this.check(name);
      return run(input);
    };
    iot.on(DescribeEndpointCommand).callsFake(guarded('DescribeEndpoint', () => ({ endpointAddress: ENDPOINT })));
    iot.on(DescribeThingCommand).callsFake(guarded('DescribeThing', ({ thingName }: { thingName: string }) => {
      const thing = this.things.get(thingName);
      if (!thing) throw notFound(`Thing ${thingName} cannot be found`);
      return { thingName, thingTypeName: thing.thingTypeName, attributes: thing.attributes };
    }));
    iot.on(ListThingPrincipalsCommand).callsFake(guarded('ListThingPrincipals', ({ thingName, nextToken }: { thingName: string; nextToken?: string }) => {
      const thing = this.things.get(thingName);
      if (!thing) throw notFound(`Thing ${thingName} cannot be found`);
      const index = nextToken ? Number(nextToken) : 0;
      return { principals: thing.principals.slice(index, index + 1), nextToken: index + 1 < thing.principals.length ? String(index + 1) : undefined };
    }));
    iot.on(DescribeCertificateCommand).callsFake(guarded('DescribeCertificate', ({ certificateId }: { certificateId: string }) => {
      const certificate = this.certificates.get(certificateId);
      if (!certificate) throw notFound(`Certificate ${certificateId} cannot be found`);
      return { certificateDescription: { certificateId, status: certificate.status } };
    }));
    iot.on(CreateThingCommand).callsFake(guarded('CreateThing', ({ thingName, thingTypeName, attributePayload }) => {
      if (this.things.has(thingName)) throw awsError('ResourceAlreadyExistsException', `Thing ${thingName} already exists`);
      this.things.set(thingName, { thingTypeName, attributes: { ...attributePayload?.attributes }, principals: [] });
      return { thingName, thingArn: `arn:aws:iot:${REGION}:${ACCOUNT}:thing/${thingName}` };
    }));
    iot.on(UpdateThingCommand).callsFake(guarded('UpdateThing', ({ thingName, attributePayload }) => {
      const thing = this.things.get(thingName);
      if (!thing) throw notFound(`Thing ${thingName} cannot be found`);
      const incoming = { ...attributePayload?.attributes };
      thing.attributes = attributePayload?.merge ? { ...thing.attributes, ...incoming } : incoming;
      return {};
    }));
    iot.on(DeleteThingCommand).callsFake(guarded('DeleteThing', ({ thingName }: { thingName: string }) => {
      if (!this.things.delete(thingName)) throw notFound(`Thing ${thingName} cannot be found`);
      return {};
    }));
    iot.on(CreateKeysAndCertificateCommand).callsFake(guarded('CreateKeysAndCertificate', ({ setAsActive }: { setAsActive?: boolean }) => {
      const certificateId = this.nextCertificateId();
      this.certificates.set(certificateId, { status: setAsActive ? 'ACTIVE' : 'INACTIVE', policies: [] });
      return {
        certificateArn: certificateArn(certificateId),
        certificateId,
        certificatePem: `-----BEGIN CERTIFICATE-----\n${certificateId}\n-----END CERTIFICATE-----\n`,
        keyPair: { PublicKey: 'public', PrivateKey: `-----BEGIN RSA PRIVATE KEY-----\nSECRET-${certificateId}\n-----END RSA PRIVATE KEY-----\n` },
      };
    }));
    const certificateOf = (arn: string) => {
      const id = arn.split('/').pop()!;
      const certificate = this.certificates.get(id);
      if (!certificate) throw notFound(`Certificate ${id} cannot be found`);
      return certificate;
    };
    iot.on(AttachPolicyCommand).callsFake(guarded('AttachPolicy', ({ policyName, target }: { policyName: string; target: string }) => {
      certificateOf(target).policies.push(policyName);
      return {};
    }));
    iot.on(DetachPolicyCommand).callsFake(guarded('DetachPolicy', ({ policyName, target }: { policyName: string; target: string }) => {
      const certificate = certificateOf(target);
      certificate.policies = certificate.policies.filter((name) => name !== policyName);
      return {};
    }));
    iot.on(AttachThingPrincipalCommand).callsFake(guarded('AttachThingPrincipal', ({ thingName, principal }: { thingName: string; principal: string }) => {
      const thing = this.things.get(thingName);
      if (!thing) throw notFound(`Thing ${thingName} cannot be found`);
      thing.principals.push(principal);
      return {};
    }));
    iot.on(DetachThingPrincipalCommand).callsFake(guarded('DetachThingPrincipal', ({ thingName, principal }: { thingName: string; principal: string }) => {
      const thing = this.things.get(thingName);
      if (!thing) throw notFound(`Thing ${thingName} cannot be found`);
      thing.principals = thing.principals.filter((arn) => arn !== principal);
      return {};
    }));
    iot.on(UpdateCertificateCommand).callsFake(guarded('UpdateCertificate', ({ certificateId, newStatus }: { certificateId: string; newStatus: string }) => {
      const certificate = this.certificates.get(certificateId);
      if (!certificate) throw notFound(`Certificate ${certificateId} cannot be found`);
      certificate.status = newStatus;
      return {};
    }));
    iot.on(DeleteCertificateCommand).callsFake(guarded('DeleteCertificate', ({ certificateId }: { certificateId: string }) => {
      const certificate = this.certificates.get(certificateId);
      if (!certificate) throw notFound(`Certificate ${certificateId} cannot be found`);
      if (certificate.status === 'ACTIVE') throw awsError('CertificateStateException', 'Certificate must be deactivated');
      const attached = [...this.things.values()].some((thing) => thing.principals.includes(certificateArn(certificateId)));
      if (attached || certificate.policies.length > 0) throw awsError('DeleteConflictException', 'Certificate is still attached');
      this.certificates.delete(certificateId);
      return {};
    }));
    s3.on(PutObjectCommand).callsFake(guarded('PutObject', ({ Bucket, Key, IfNoneMatch, Body }) => {
      expect(Bucket).toBe(BUCKET);
      expect(IfNoneMatch).toBe('*');
      if (this.ledger.has(Key)) {
        throw new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', message: 'At least one of the pre-conditions you specified did not hold', $metadata: { httpStatusCode: 412 } });
      }
      this.ledger.set(Key, String(Body));
      return { ETag: '"1"' };
    }));
    s3.on(DeleteObjectCommand).callsFake(guarded('DeleteObject', ({ Bucket, Key }) => {
      expect(Bucket).toBe(BUCKET);
      this.ledger.delete(Key);
      return {};
    }));
    return this;
  }
}

/** Names of every IoT command sent that could change something (anything but Describe/List/Get). */
export function writesOf(client: AwsClientStub<IoTClient> | AwsClientStub<S3Client>): string[] {
  return client.calls()
    .map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
    .filter((name) => !/^(Describe|List|Get)/.test(name));
}

export interface RegistrarHarness {
  readonly iot: AwsClientStub<IoTClient>;
  readonly s3: AwsClientStub<S3Client>;
  handler: Handler;
  cloud: FakeCloud;
  logs: ReturnType<typeof captureLogs>;
  post(body: unknown, rights?: TokenRights | null): Promise<ParsedResponse>;
}

/** The handler loaded once; a fresh cloud and captured logs per test. */
export function useRegistrarHarness(): RegistrarHarness {
  const harness = { iot: mockClient(IoTClient), s3: mockClient(S3Client) } as RegistrarHarness;
  harness.post = async (body, rights) => {
    const result = await harness.handler(registerEvent(body, rights));
    expect(result.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    return { statusCode: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
  };
  beforeAll(() => {
    Object.assign(process.env, REGISTRAR_ENV);
    const module = jest.requireActual<typeof import('../../../lambda-assets/device-registrar')>('../../../lambda-assets/device-registrar');
    harness.handler = (event, context) => module.handler(event, context);
  });
  afterAll(() => {
    harness.iot.restore();
    harness.s3.restore();
  });
  beforeEach(() => {
    harness.iot.reset();
    harness.s3.reset();
    harness.cloud = new FakeCloud(harness.iot, harness.s3).install();
    harness.logs = captureLogs();
  });
  afterEach(() => harness.logs.restore());
  return harness;
}

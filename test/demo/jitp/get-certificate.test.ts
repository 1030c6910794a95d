/**
 * The JITP device tool's command line: usage, and bad arguments answered with exit code 2 and one
 * line naming the argument, before any key is made or any request sent. (Its requests against the
 * stack are exercised end to end by test/demo/jitp-flow.test.ts.)
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../demo/jitp/get-certificate';

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-1' };
const REQUIRED = ['--api-url', 'http://127.0.0.1:9/prod/deviceCertificateGenerate', '--ca-id', 'a'.repeat(64)];

async function run(argv: string[], env: NodeJS.ProcessEnv = CREDENTIALS) {
  const lines: string[] = [];
  const code = await main(argv, { info: (line) => lines.push(line), error: (line) => lines.push(line) }, env);
  return { code, output: lines.join('\n') };
}

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'jitp-get-certificate-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

test('--help prints the usage and exits 0', async () => {
  const { code, output } = await run(['--help']);
  expect(code).toBe(0);
  expect(output).toMatch(/^options: --api-url URL --ca-id ID --name CN/);
});

test.each<[string, string[], NodeJS.ProcessEnv, RegExp]>([
  ['no --name', [...REQUIRED], CREDENTIALS, /^error: .*--name.* \(see --help\)$/],
  ['an unknown option', [...REQUIRED, '--name', 'd', '--colour', 'red'], CREDENTIALS, /^error: .*--colour.* \(see --help\)$/],
  ['no region', [...REQUIRED, '--name', 'd'], { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }, /^error: --region \(or AWS_REGION\) is required/],
  ['no credentials', [...REQUIRED, '--name', 'd'], { AWS_REGION: 'eu-west-1' }, /^error: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set/],
  ['a key algorithm openssl is not asked for', [...REQUIRED, '--name', 'd', '--key-algorithm', 'ED25519'], CREDENTIALS,
    /^error: --key-algorithm must be one of ECDSA-P256, ECDSA-P384, RSA-2048, RSA-3072/],
  ['a subject value -subj would misread', [...REQUIRED, '--name', 'a/b=c'], CREDENTIALS, /^error: subject value "a\/b=c": use letters, digits/],
])('%s: exit 2, one line naming it, no file written', async (_case, argv, env, message) => {
  const { code, output } = await run([...argv, '--out-dir', directory], env);
  expect(code).toBe(2);
  expect(output).toMatch(message);
  expect(readdirSync(directory)).toEqual([]);
});

test('a refused request exits 1 with the API\'s answer', async () => {
  // Nothing listens on port 9 (discard): the request itself fails.
  const { code, output } = await run([...REQUIRED, '--name', 'demo-sensor-1', '--server-key', '--out-dir', directory]);
  expect(code).toBe(1);
  expect(output).toMatch(/^error: /);
  expect(readdirSync(directory)).toEqual([]);
});

/**
 * `npm run local`: the local cloud, for a user's own device or SDK; with `--cloud-assembly`, the
 * user's synthesized stacks run on it too (their Lambdas, APIs, queues, rules, buckets).
 *
 *   npm run local -- [--control-plane-port 4566] [--mqtt-port 8883] [--state-dir .local] [--no-rate-limits] [--quiet]
 *                    [--cloud-assembly path/to/cdk.out ...]
 *
 * Prints where to reach it, one per line, then logs what the gateway decides.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCloud } from './local-cloud';
import { startStackRunner, type RunningStacks } from './runner/stack-runner';

type Print = (line: string) => void;

function port(values: Record<string, unknown>, name: 'control-plane-port' | 'mqtt-port'): number {
  const text = String(values[name] ?? '');
  // Digits only: Number() would take '' as 0 (a random port) and '1e3' as 1000.
  const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 0 && value <= 65535)) throw new Error(`--${name} must be a port number from 0 to 65535 (0 picks a free one), not "${text}"`);
  return value;
}

/** What the stacks serve, and the credentials to call them with (the runner's admin user). */
function printStacks(runner: RunningStacks, print: Print): void {
  for (const stack of runner.stacks) {
    print(`stack ${stack.stackName}: ${stack.resources.length} resources`);
    for (const [name, value] of Object.entries(stack.outputs)) {
      let local = '';
      try {
        local = ` -> ${runner.localUrl(value)}`;
      } catch {
        // Not a URL the runner serves: printed as the template gives it.
      }
      print(`  output ${name}: ${value}${local}`);
    }
  }
  print(`s3: ${runner.endpoints.S3}  sqs: ${runner.endpoints.SQS}  kms: ${runner.endpoints.KMS}  lambda: ${runner.endpoints.LAMBDA}  `
    + `secretsmanager: ${runner.endpoints.SECRETS_MANAGER}`);
  const { accessKeyId, secretAccessKey } = runner.adminCredentials;
  print(`credentials (every call is signed and checked against the stacks' IAM): export AWS_ACCESS_KEY_ID=${accessKeyId} `
    + `AWS_SECRET_ACCESS_KEY=${secretAccessKey} AWS_REGION=${runner.region} AWS_ENDPOINT_URL_IOT=${runner.endpoints.IOT} `
    + `AWS_ENDPOINT_URL_S3=${runner.endpoints.S3}`);
  for (const sentence of runner.notRun) print(`not run locally: ${sentence}`);
}

/** Where the AWS SDK is for the stacks' functions, as Lambda's runtime provides it (their bundles leave it out). */
function sdkModulesDirectory(): string {
  const clientIot = require.resolve('@aws-sdk/client-iot/package.json');
  return resolve(clientIot, '..', '..', '..');
}

/**
 * Starts the local cloud as the command line asks and keeps it up until SIGINT or SIGTERM;
 * `npm run local` and `cdk-iot-security-cli local up` both run this.
 */
export async function runLocalCloud(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'control-plane-port': { type: 'string', default: '0' },
      'mqtt-port': { type: 'string', default: '0' },
      'state-dir': { type: 'string', default: '.local' },
      'no-rate-limits': { type: 'boolean', default: false },
      'quiet': { type: 'boolean', default: false },
      'cloud-assembly': { type: 'string', multiple: true },
    },
  });
  const print: Print = (line) => console.log(line);
  const log = values.quiet ? undefined : (line: Record<string, unknown>) => console.error(JSON.stringify(line));
  const common = {
    stateDirectory: resolve(values['state-dir']!),
    controlPlanePort: port(values, 'control-plane-port'),
    mqttPort: port(values, 'mqtt-port'),
    rateLimits: !values['no-rate-limits'],
    log,
  };
  const assemblies = (values['cloud-assembly'] ?? []).map((path) => resolve(path));
  let runner: RunningStacks | undefined;
  const cloud = assemblies.length === 0
    ? await startLocalCloud(common)
    : (runner = await startStackRunner({
      ...common,
      cloudAssemblies: assemblies,
      sdkModulesDirectory: sdkModulesDirectory(),
      onFunctionLog: values.quiet ? undefined : (name, line) => console.error(`[${name}] ${line}`),
    })).cloud;
  print(`control plane: ${cloud.controlPlaneUrl}`);
  print(`mqtt: ${cloud.mqttUrl}`);
  print(`server CA: ${cloud.serverIdentity.caCertificatePath}`);
  print(`account: ${cloud.model.accountId}  region: ${cloud.model.region}  (AWS_ENDPOINT_URL_IOT=${cloud.controlPlaneUrl})`);
  if (runner) printStacks(runner, print);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    (runner ?? cloud).close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  runLocalCloud(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`local cloud: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  });
}

/**
 * One synthesized demo stack on the local cloud's stack runner, and the environment a user gives
 * cdk-iot-security-cli to reach it: the IoT endpoint, the Region and the runner's admin credentials
 * in the usual AWS variables, a HOME of its own (no ~/.aws), no profile. What the tests check
 * afterwards they read as a user would: the registry with @aws-sdk/client-iot, the vault over S3.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IoTClient } from '@aws-sdk/client-iot';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describeRun, runCliProcess, type CliRun } from './stack-cli-process';
import { StackDiagnostics } from '../../../demo/shared/stack-diagnostics';
import { startStackRunner, type RunningStacks } from '../../../local/runner/stack-runner';

const execFileAsync = promisify(execFile);

export interface StackCloud {
  readonly runner: RunningStacks;
  readonly diagnostics: StackDiagnostics;
  /** A scratch directory for the CLI's files (its working directory too); removed by close(). */
  readonly work: string;
  /** The environment of every CLI process (see cliEnvironment). */
  readonly env: NodeJS.ProcessEnv;
  /** The local cloud's MQTT server CA: what a device trusts instead of Amazon's roots. */
  readonly serverCaFile: string;
  readonly iot: IoTClient;
  readonly s3: S3Client;
  /** The stack's outputs, as `cdk deploy` would print them. */
  outputs(stackName: string): Readonly<Record<string, string>>;
  /** The local URL of an output the stack's REST API serves (what `npm run local` prints after "->"). */
  localUrl(stackName: string, output: string): string;
  /** Runs the CLI in `work` with `env` (and `extraEnv` over it). */
  cli(args: readonly string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliRun>;
  /** A new directory under `work`. */
  directory(name: string): string;
  /**
   * The keys of the vault's objects, read over the S3 endpoint with the admin credentials: under one CA's
   * folder (relative to it) when an id is given, else all of them.
   */
  vaultKeys(caCertificateId?: string): Promise<string[]>;
  /** One vault object under a CA's folder, read over the S3 endpoint with the admin credentials. */
  readVault(caCertificateId: string, key: string): Promise<string>;
  /** What the stack logged that explains a failure (rule decisions, function errors, queued messages). */
  explain(topic?: string): string;
  close(): Promise<void>;
}

/** What a user exports to point the CLI at the local cloud, and nothing else of this process's environment. */
export function cliEnvironment(runner: RunningStacks, home: string): NodeJS.ProcessEnv {
  const { accessKeyId, secretAccessKey, sessionToken } = runner.adminCredentials;
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ENDPOINT_URL_IOT: runner.endpoints.IOT,
    AWS_REGION: runner.region,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    ...(sessionToken ? { AWS_SESSION_TOKEN: sessionToken } : {}),
  };
}

export async function startStackCloud(cdkOut: string, name: string): Promise<StackCloud> {
  const work = mkdtempSync(join(tmpdir(), `cdk-iot-security-cli-${name}-`));
  const home = join(work, 'home');
  mkdirSync(home);
  const diagnostics = new StackDiagnostics();
  let runner: RunningStacks;
  try {
    runner = await startStackRunner({
      cloudAssemblies: [cdkOut],
      stateDirectory: join(work, 'cloud'),
      controlPlanePort: 0,
      mqttPort: 0,
      log: diagnostics.log,
      onFunctionLog: diagnostics.onFunctionLog,
    });
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  const clientConfig = { region: runner.region, credentials: runner.adminCredentials };
  const iot = new IoTClient({ ...clientConfig, endpoint: runner.endpoints.IOT });
  const s3 = new S3Client({ ...clientConfig, endpoint: runner.endpoints.S3, forcePathStyle: true });
  const env = cliEnvironment(runner, home);
  const outputs = (stackName: string) => {
    const stack = runner.stacks.find((candidate) => candidate.stackName === stackName);
    if (!stack) throw new Error(`stack ${stackName} is not running (running: ${runner.stacks.map((s) => s.stackName).join(', ')})`);
    return stack.outputs;
  };
  const vaultBucket = () => {
    const variables = (fn: { properties: Record<string, unknown> }) =>
      (fn.properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
    const holder = runner.resourcesOfType('AWS::Lambda::Function').find((fn) => variables(fn).VAULT_BUCKET);
    if (!holder) throw new Error('no function of the stack has VAULT_BUCKET');
    return variables(holder).VAULT_BUCKET;
  };
  return {
    runner,
    diagnostics,
    work,
    env,
    serverCaFile: runner.cloud.serverIdentity.caCertificatePath,
    iot,
    s3,
    outputs,
    localUrl: (stackName, output) => {
      const value = outputs(stackName)[output];
      if (!value) throw new Error(`stack ${stackName} has no output ${output}`);
      return runner.localUrl(value);
    },
    cli: (args, extraEnv) => runCliProcess(args, { env: { ...env, ...extraEnv }, cwd: work }),
    directory: (directoryName) => {
      const path = join(work, directoryName);
      mkdirSync(path, { recursive: true });
      return path;
    },
    vaultKeys: async (caCertificateId) => {
      const prefix = caCertificateId === undefined ? '' : `${caCertificateId}/`;
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: vaultBucket(), Prefix: prefix || undefined, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((object) => object.Key!.slice(prefix.length)));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    readVault: async (caCertificateId, key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: vaultBucket(), Key: `${caCertificateId}/${key}` }));
      return object.Body!.transformToString('utf8');
    },
    explain: (topic = '') => diagnostics.explain(runner, topic) || 'the stack logged no errors',
    close: async () => {
      iot.destroy();
      s3.destroy();
      try {
        await runner.close();
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

/** `openssl verify -CAfile ca cert`: resolves with its output ("<cert>: OK"), rejects with openssl's refusal. */
export async function opensslVerify(caFile: string, certificateFile: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('openssl', ['verify', '-CAfile', caFile, certificateFile], { encoding: 'utf8' });
    return stdout.trim();
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`openssl verify -CAfile ${caFile} ${certificateFile} failed: ${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** A file's permission bits as `ls -l` shows them in octal: '600' for a private key. */
export function permissions(path: string): string {
  return statSync(path).mode.toString(8).slice(-3);
}

/** Fails with the whole run when the exit code is not `expected`. */
export function expectExit(run: CliRun, expected: number): CliRun {
  if (run.code !== expected) throw new Error(`expected exit ${expected}, got ${describeRun(run)}`);
  return run;
}

/**
 * Runs cdk-iot-security-cli as a user does: `node cli/bin/cdk-iot-security-cli.js ...` in a process
 * of its own, with exactly the environment the test gives (nothing of the test's own leaks in:
 * no AWS_PROFILE, no ~/.aws), and its stdout, stderr and exit code captured.
 *
 * The bin loads the bundle, cli/dist/main.js; when it is missing it is built here first, once
 * (`npx ts-node --project tsconfig.dev.json scripts/bundle-cli.ts`), under a lock so that test
 * files running in parallel do not build it twice.
 */
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const CLI_BIN = join(ROOT, 'cli', 'bin', 'cdk-iot-security-cli.js');
export const CLI_BUNDLE = join(ROOT, 'cli', 'dist', 'main.js');

/** A lock directory outside the repository (a crashed build leaves nothing in the tree). */
const BUILD_LOCK = join(tmpdir(), `cdk-iot-security-cli-bundle-${Buffer.from(ROOT).toString('hex').slice(-32)}.lock`);
const LOCK_STALE_MS = 5 * 60_000;

let bundleChecked = false;

/** Builds cli/dist/main.js when it is missing; warns (once) when cli/src changed after it was built. */
export async function ensureCliBundle(): Promise<void> {
  if (bundleChecked) return;
  while (!existsSync(CLI_BUNDLE)) {
    if (takeLock()) {
      try {
        if (!existsSync(CLI_BUNDLE)) {
          execFileSync('npx', ['ts-node', '--project', 'tsconfig.dev.json', 'scripts/bundle-cli.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        }
      } finally {
        rmdirSync(BUILD_LOCK);
      }
    } else {
      await sleep(250); // another test file is building it
    }
  }
  const newest = newestSource(join(ROOT, 'cli', 'src'));
  if (newest > statSync(CLI_BUNDLE).mtimeMs) {
    process.stderr.write(`warning: ${CLI_BUNDLE} is older than cli/src: these tests run the old bundle; rebuild it with \`npx projen bundle\`\n`);
  }
  bundleChecked = true;
}

function takeLock(): boolean {
  try {
    mkdirSync(BUILD_LOCK);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(BUILD_LOCK).mtimeMs > LOCK_STALE_MS) rmdirSync(BUILD_LOCK); // left by a killed run
    } catch {
      // Released meanwhile.
    }
    return false;
  }
}

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The whole environment for a CLI process: PATH (to find nothing but what node needs), HOME (a
 * directory of the test's, so no ~/.aws is read), no Node warnings (the AWS SDK's Node version
 * notice), and `vars`. A var given as undefined is left out.
 */
export function cliEnv(home: string, vars: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NODE_NO_WARNINGS: '1' };
  for (const [name, value] of Object.entries(vars)) if (value !== undefined) env[name] = value;
  return env;
}

export interface CliResult {
  /** The exit code; null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** The one JSON document on stdout (--json); throws, showing both streams, when stdout is not one. */
  json(): any;
  /** Exit code and both streams, for failure messages. */
  describe(): string;
}

export interface CliOptions {
  /** The process's whole environment (see {@link cliEnv}). */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** The umask the CLI runs with (through /bin/sh), e.g. 0o077 or 0o000. Default: the test's own. */
  readonly umask?: number;
  /** Killed (and the promise rejected) after this. @default 60_000 */
  readonly timeoutMs?: number;
}

function command(args: readonly string[], umask: number | undefined): [string, string[]] {
  if (umask === undefined) return [process.execPath, [CLI_BIN, ...args]];
  // `$0` is the node binary, `$@` the bin and the arguments: no quoting of our own.
  return ['/bin/sh', ['-c', `umask ${umask.toString(8).padStart(3, '0')} && exec "$0" "$@"`, process.execPath, CLI_BIN, ...args]];
}

/** Runs the CLI to its end. */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  await ensureCliBundle();
  const cli = startCli(args, options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cli.child.kill('SIGKILL');
      reject(new Error(`cdk-iot-security-cli ${args.join(' ')} still ran after ${timeoutMs} ms\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([cli.result, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** A CLI process still running (`local up`), with what it printed so far. */
export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly result: Promise<CliResult>;
  stdout(): string;
  stderr(): string;
}

/** Starts the CLI; `result` settles when it has exited and its streams are closed. Call {@link ensureCliBundle} first. */
export function startCli(args: readonly string[], options: CliOptions): RunningCli {
  const started = Date.now();
  const [file, argv] = command(args, options.umask);
  const child = spawn(file, argv, { cwd: options.cwd ?? ROOT, env: options.env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const result = new Promise<CliResult>((done, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const describe = () => `cdk-iot-security-cli ${args.join(' ')}: exit ${code ?? signal} after ${Date.now() - started} ms\n`
        + `stdout:\n${stdout}\nstderr:\n${stderr}`;
      done({
        code,
        signal,
        stdout,
        stderr,
        ms: Date.now() - started,
        describe,
        json: () => {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`expected one JSON document on stdout\n${describe()}`);
          }
        },
      });
    });
  });
  return { child, result, stdout: () => stdout, stderr: () => stderr };
}

/** `openssl ARGS`: its stdout and stderr (where `req -verify` and `verify` say OK); throws with both when it exits non-zero. */
export function openssl(...args: string[]): { stdout: string; stderr: string } {
  const run = spawnSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} exited ${run.status ?? run.signal}\n${run.stdout}${run.stderr}`);
  return { stdout: run.stdout, stderr: run.stderr };
}

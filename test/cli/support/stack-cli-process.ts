/**
 * Runs the bundled cdk-iot-security-cli as a user runs it: `node cli/bin/cdk-iot-security-cli.js ...`
 * in its own process, with only the environment given. Asynchronous on purpose: the stacks it talks
 * to run in the test's own process, which must keep serving them while the CLI waits.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..', '..');
export const CLI_BIN = join(REPO, 'cli', 'bin', 'cdk-iot-security-cli.js');
const CLI_BUNDLE = join(REPO, 'cli', 'dist', 'main.js');

export interface CliRun {
  /** The exit code (null only if a signal ended it, which fails the caller's assertions). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly milliseconds: number;
}

export interface CliRunOptions {
  /** The whole environment of the process: nothing of the test's own is inherited. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** @default 120_000 */
  readonly timeoutMs?: number;
}

/** Runs the CLI with `args`; resolves when it exits (or rejects when it outlives `timeoutMs`, after killing it). */
export function runCliProcess(args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  if (!existsSync(CLI_BUNDLE)) {
    return Promise.reject(new Error(`${CLI_BUNDLE} is missing: build it with \`npx projen bundle\` (the test task does)`));
  }
  const started = Date.now();
  return new Promise<CliRun>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: options.cwd ?? REPO, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cdk-iot-security-cli ${args.slice(0, 2).join(' ')} still ran after ${options.timeoutMs ?? 120_000} ms; stderr:\n${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, milliseconds: Date.now() - started });
    });
  });
}

/** The one JSON document `--json` prints on stdout; throws with both streams when there is none. */
export function jsonOf(run: CliRun): any {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`expected one JSON document on stdout (exit ${run.code});\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** What a failed expectation should show: the exit code and both streams. */
export function describeRun(run: CliRun): string {
  return `exit ${run.code} after ${run.milliseconds} ms\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository root (test/demo/support -> ../../..). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** How a script run as a child process ended. */
export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npx ts-node --project tsconfig.dev.json <file> ...args` from the repository root (without npx's start-up). */
export function runTsNode(file: string, args: readonly string[], timeoutMs = 45_000): Promise<ScriptRun> {
  const tsNode = join(REPO_ROOT, 'node_modules', '.bin', 'ts-node');
  return new Promise((resolve, reject) => {
    const child = spawn(tsNode, ['--project', 'tsconfig.dev.json', file, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/**
 * Cold start of each bundled handler: its size and how long a fresh Node
 * process takes to load it (module evaluation, including the AWS SDK clients it
 * creates at load time), the part of onboarding latency a Lambda cold start adds.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Figure } from './report';

const HANDLERS_DIR = resolve(__dirname, '..', 'assets', 'handlers');
const RUNS = 7;
const MAX_KIB = 500;
const MAX_LOAD_MS = 100;

/** What each handler reads from its environment at load time, with harmless values. */
const ENVIRONMENT = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  VAULT_BUCKET: 'bench-vault',
  REGISTRAR_ID: 'bench/registrar',
  DEVICE_POLICY_NAME: 'bench-policy',
  VERIFIER_ARNS: '{}',
  VERIFIER_NAMES: '[]',
};

/** Loads the module once in a new process and prints the milliseconds it took. */
const LOADER = `
const started = process.hrtime.bigint();
require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));
`;

export function measureHandlerColdStarts(): Figure[] {
  const figures: Figure[] = [];
  for (const name of readdirSync(HANDLERS_DIR).sort()) {
    const file = join(HANDLERS_DIR, name, 'index.js');
    const kib = statSync(file).size / 1024;
    const loads = Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, ['-e', LOADER, file], {
      env: { ...process.env, ...ENVIRONMENT },
      encoding: 'utf8',
    })));
    const median = loads.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
    const metric = name.replace(/-/g, '_');
    figures.push(
      { metric: `handler_${metric}_bundle_kib`, value: kib, unit: 'KiB', label: `${name}: bundle size (minified)`, target: { maximum: MAX_KIB, description: `<= ${MAX_KIB} KiB` } },
      { metric: `handler_${metric}_load_ms`, value: median, unit: 'ms', label: `${name}: load time, median of ${RUNS} fresh processes`, target: { maximum: MAX_LOAD_MS, description: `<= ${MAX_LOAD_MS} ms` } },
    );
  }
  return figures;
}

/**
 * The onboarding load benchmark: a burst of JITR devices through the synthesized JITR demo stack on
 * the local cloud, with AWS's default control-plane rate limits. A measurement, not a test: it prints
 * a table and one JSON line per figure, PASS/FAIL next to its targets, and exits 0 unless it crashes.
 *
 *   npm run bench:onboarding                      both scenarios, 2,000 devices each
 *   npx ts-node --project tsconfig.dev.json bench/onboarding/index.ts --devices 200 --scenario clean
 *
 * Scenarios (bench/README.md says more):
 * - clean: no faults; the figures to compare with the ceiling the rate limits set;
 * - faults: the local cloud's test-only fault switches on (the activator's Lambda instance crashing at
 *   random calls, control-plane 500s, every registration event published twice) and a restart of the whole
 *   local cloud mid-burst; the end state must be the same: every device ACTIVE once, nothing lost or duplicated.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { describeScenario, scenarioFigures, scenarioNotes } from './figures';
import { DEFAULT_FAULTS, type ScenarioOptions, type ScenarioResult } from './harness';
import { JitrDemoStack } from '../../demo/jitr/app';
import { JITR_STACK } from '../../demo/jitr/stack-flow';
import { printJsonLines, printTable } from '../report';

const SCENARIOS = ['clean', 'faults', 'both'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      devices: { type: 'string' },
      scenario: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  // Environment variables too: projen passes no arguments to the task's command.
  const devices = positiveInteger('--devices', values.devices ?? process.env.BENCH_DEVICES ?? '2000');
  const scenario = values.scenario ?? process.env.BENCH_SCENARIO ?? 'both';
  if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}, got ${scenario}`);
  const quiet = values.quiet === true;

  const cloudAssembly = synthesizeJitrDemo();
  try {
    const timeouts = {
      // Ten times what the ceiling allows, and room for a restart: a burst that takes longer is broken.
      burstTimeoutSeconds: Math.max(180, devices),
      // The visibility timeout (360 s) plus room: a crashed batch comes back after it.
      drainTimeoutSeconds: 900,
    };
    const scenarios: Omit<ScenarioOptions, 'progress'>[] = [];
    const logFile = (name: string) => (process.env.BENCH_FUNCTION_LOG ? `${process.env.BENCH_FUNCTION_LOG}.${name}` : undefined);
    if (scenario !== 'faults') scenarios.push({ name: 'clean', devices, cloudAssembly, functionLogFile: logFile('clean'), ...timeouts });
    if (scenario !== 'clean') scenarios.push({ name: 'faults', devices, cloudAssembly, faults: DEFAULT_FAULTS, functionLogFile: logFile('faults'), ...timeouts });
    for (const options of scenarios) {
      const load = loadavg()[0];
      const result = await runInOwnProcess(options, quiet);
      // Printed as each scenario ends: the faults scenario takes a while longer.
      const figures = scenarioFigures(result);
      printTable(describeScenario(result), figures, [
        `Node ${process.version}, ${availableParallelism()} CPUs, load average ${load.toFixed(1)} at the start; `
          + 'the local cloud and its Lambda worker threads run in one process, the devices in another',
        ...scenarioNotes(result),
      ]);
      printJsonLines(figures);
    }
  } finally {
    rmSync(cloudAssembly, { recursive: true, force: true });
  }
}

/**
 * Runs a scenario in a new process (scenario-process.ts) under ts-node without type checking, so the RSS it
 * measures is the local cloud's and the devices', not the type checker's; its progress lines go to stderr.
 */
function runInOwnProcess(options: Omit<ScenarioOptions, 'progress'>, quiet: boolean): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'scenario-process.ts'), [JSON.stringify(options)], {
      // BENCH_CPU_PROFILE_DIR: a V8 CPU profile of the scenario's process (the local cloud's main thread) for a closer look.
      execArgv: ['--require', 'ts-node/register/transpile-only', ...cpuProfileArgs(process.env.BENCH_CPU_PROFILE_DIR)],
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.dev.json') },
      stdio: ['ignore', 'inherit', quiet ? 'ignore' : 'inherit', 'ipc'],
    });
    let result: ScenarioResult | undefined;
    child.on('message', (message: { result?: ScenarioResult }) => { result = message.result; });
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`the ${options.name} scenario's process exited with ${code} and no result`))));
  });
}

function cpuProfileArgs(directory: string | undefined): string[] {
  return directory ? ['--cpu-prof', `--cpu-prof-dir=${directory}`, '--cpu-prof-interval=2000'] : [];
}

/** The JITR demo app synthesized in-process (as `cdk synth` does with demo/jitr/app.ts); run `npx projen bundle` first. */
function synthesizeJitrDemo(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-onboarding-jitr-'));
  const app = new App({ outdir });
  new JitrDemoStack(app, JITR_STACK);
  app.synth();
  return outdir;
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${text}`);
  return value;
}

main().catch((error: unknown) => {
  // Missing a target still exits 0; a crash is not a measurement and says so.
  console.error('benchmark failed:', error);
  process.exitCode = 1;
});

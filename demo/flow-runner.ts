/**
 * Runs the demo's flows against the synthesized stacks on the local runner: one progress line per
 * step, one table row per flow (PASS or FAIL, seconds). A failing step ends its flow; the next
 * flow still runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowStep } from './jitr/stack-flow';
import { StackDiagnostics } from './shared/stack-diagnostics';
import { startStackRunner, type RunningStacks } from '../local/runner/stack-runner';

export interface FlowContext {
  readonly runner: RunningStacks;
  readonly diagnostics: StackDiagnostics;
  readonly workDirectory: string;
}

export interface DemoFlow {
  /** JITR, JITP, Fleet, CSR, Gateway. */
  readonly name: string;
  run(step: FlowStep, context: FlowContext): Promise<void>;
}

export interface FlowRow {
  readonly name: string;
  readonly passed: boolean;
  readonly seconds: number;
  /** Why the flow failed: the failing step and its message. */
  readonly failure?: string;
}

export interface RunFlowsOptions {
  readonly flows: readonly DemoFlow[];
  /** The synthesized cloud assemblies (cdk.out directories) the flows need. */
  readonly cloudAssemblies: readonly string[];
  readonly print: (line: string) => void;
  /** Every line a function logs; quiet by default (the diagnostics keep the errors). */
  readonly onFunctionLog?: (functionName: string, line: string) => void;
}

export async function runFlows(options: RunFlowsOptions): Promise<FlowRow[]> {
  const { print } = options;
  const workDirectory = mkdtempSync(join(tmpdir(), 'cdk-iot-security-demo-'));
  const diagnostics = new StackDiagnostics();
  const started = Date.now();
  const runner = await startStackRunner({
    cloudAssemblies: options.cloudAssemblies,
    stateDirectory: join(workDirectory, 'cloud'),
    log: diagnostics.log,
    onFunctionLog: (name, line) => {
      diagnostics.onFunctionLog(name, line);
      options.onFunctionLog?.(name, line);
    },
  });
  const rows: FlowRow[] = [];
  try {
    const resources = runner.stacks.reduce((sum, stack) => sum + stack.resources.length, 0);
    print(`local runner: ${runner.stacks.map((stack) => stack.stackName).join(', ')} up in ${Date.now() - started} ms (${resources} resources)`);
    const { IOT, S3, SQS, LAMBDA } = runner.endpoints;
    print(`  IoT ${IOT}  MQTT ${runner.cloud.mqttUrl}  S3 ${S3}  SQS ${SQS}  Lambda ${LAMBDA}`);
    if (runner.notRun.length > 0) {
      print('  not run locally:');
      for (const sentence of runner.notRun) print(`    - ${sentence}`);
    }
    for (const flow of options.flows) {
      print(flow.name);
      rows.push(await runFlow(flow, { runner, diagnostics, workDirectory }, print));
    }
  } finally {
    await runner.close();
    rmSync(workDirectory, { recursive: true, force: true });
  }
  return rows;
}

async function runFlow(flow: DemoFlow, context: FlowContext, print: (line: string) => void): Promise<FlowRow> {
  const started = Date.now();
  const step: FlowStep = async (title, run) => {
    const stepStarted = Date.now();
    try {
      const detail = await run();
      print(`  ok    ${title} (${Date.now() - stepStarted} ms)${detail ? `: ${detail}` : ''}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      print(`  FAIL  ${title}: ${message}`);
      throw new StepFailure(`${title}: ${message}`);
    }
  };
  try {
    await flow.run(step, context);
    return { name: flow.name, passed: true, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    const failure = error instanceof StepFailure ? error.message : `${error instanceof Error ? error.message : String(error)}`;
    if (!(error instanceof StepFailure)) print(`  FAIL  ${failure}`);
    return { name: flow.name, passed: false, seconds: (Date.now() - started) / 1000, failure };
  }
}

class StepFailure extends Error {}

/** The final table. */
export function flowTable(rows: readonly FlowRow[]): string[] {
  const width = Math.max(4, ...rows.map((row) => row.name.length));
  return [
    `${'flow'.padEnd(width)}  result  seconds`,
    ...rows.map((row) => `${row.name.padEnd(width)}  ${(row.passed ? 'PASS' : 'FAIL').padEnd(6)}  ${row.seconds.toFixed(1).padStart(7)}`),
  ];
}

/**
 * `npm run demo`, the main job: synthesizes the demo apps with the CDK CLI as a user would, runs
 * the synthesized stacks on the local runner (bundled Lambdas, API Gateway with IAM, S3/KMS
 * vault, topic rules, SQS with DLQ, the IoT registry and MQTT gateway), and drives each flow
 * against them. Prints a line per step and a table per flow; exits 0 only when every flow passed.
 */
import { execFileSync } from 'node:child_process';
import { flowTable, runFlows } from './flow-runner';
import { DEMO_APPS } from './flows';

function synthesize(appDirectory: string): void {
  execFileSync('npx', ['cdk', 'synth', '--quiet'], { cwd: appDirectory, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function main(): Promise<void> {
  const print = (line: string) => console.log(line);
  print('cdk-iot-security demo');
  for (const app of DEMO_APPS) {
    const started = Date.now();
    synthesize(app.appDirectory);
    print(`synthesized ${app.appDirectory} -> ${app.cloudAssembly} (${Date.now() - started} ms)`);
  }
  const verbose = process.env.DEMO_VERBOSE === '1';
  const rows = await runFlows({
    flows: DEMO_APPS.flatMap((app) => app.flows),
    cloudAssemblies: DEMO_APPS.map((app) => app.cloudAssembly),
    print,
    // DEMO_VERBOSE=1 shows every line the functions log.
    onFunctionLog: verbose ? (name, line) => print(`    [${name}] ${line}`) : undefined,
  });
  print('');
  for (const line of flowTable(rows)) print(line);
  const failed = rows.filter((row) => !row.passed);
  print(failed.length === 0 ? 'demo: every flow passed' : `demo: ${failed.map((row) => row.name).join(', ')} failed`);
  process.exit(failed.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});

/**
 * Runs one scenario in a process of its own, forked by index.ts with ts-node in transpile-only mode:
 * the process's RSS is then the local cloud's, its Lambda worker threads' and the devices', not the
 * TypeScript type checker's or the CDK's (index.ts synthesizes the stack). Options arrive as JSON in
 * argv[2]; the result goes back over the IPC channel.
 */
import { runScenario, type ScenarioOptions } from './harness';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as Omit<ScenarioOptions, 'progress'>;
  const result = await runScenario({ ...options, progress: (line) => console.error(line) });
  if (!process.send) {
    // Run by hand (not forked): the result as one JSON line.
    console.log(JSON.stringify(result));
    return;
  }
  const send = process.send.bind(process);
  await new Promise<void>((resolve, reject) => send({ result }, undefined, undefined, (error: Error | null) => (error ? reject(error) : resolve())));
}

main().then(
  // Lambda worker threads and sockets are closed by then; exit anyway, so nothing left over keeps the benchmark waiting.
  () => process.exit(0),
  (error: unknown) => {
    console.error('scenario failed:', error);
    process.exit(1);
  },
);

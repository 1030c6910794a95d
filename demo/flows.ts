/** The demo apps and their flows, in the order `npm run demo` runs them. Later constructs add theirs here. */
import { join, resolve } from 'node:path';
import type { DemoFlow } from './flow-runner';
import { runJitrStackFlow } from './jitr/stack-flow';

const root = resolve(__dirname, '..');

export interface DemoApp {
  /** The CDK app's directory (with its cdk.json). */
  readonly appDirectory: string;
  /** Where its cdk.json sends the cloud assembly. */
  readonly cloudAssembly: string;
  readonly flows: readonly DemoFlow[];
}

export const DEMO_APPS: readonly DemoApp[] = [
  {
    appDirectory: join(root, 'demo', 'jitr'),
    cloudAssembly: join(root, '.demo', 'jitr', 'cdk.out'),
    flows: [{ name: 'JITR', run: (step, context) => runJitrStackFlow(step, context) }],
  },
];

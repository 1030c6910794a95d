/** The demo apps and their flows, in the order `npm run demo` runs them. Later constructs add theirs here. */
import { join, resolve } from 'node:path';
import { runCsrApiFlow } from './api/csr-flow';
import { runGatewayFlow } from './api/gateway-flow';
import { runFleetStackFlow } from './fleet/stack-flow';
import type { DemoFlow } from './flow-runner';
import { runJitpStackFlow } from './jitp/stack-flow';
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
  {
    appDirectory: join(root, 'demo', 'jitp'),
    cloudAssembly: join(root, '.demo', 'jitp', 'cdk.out'),
    flows: [{ name: 'JITP', run: (step, context) => runJitpStackFlow(step, context) }],
  },
  {
    appDirectory: join(root, 'demo', 'fleet'),
    cloudAssembly: join(root, '.demo', 'fleet', 'cdk.out'),
    flows: [{ name: 'Fleet', run: (step, context) => runFleetStackFlow(step, context) }],
  },
  {
    appDirectory: join(root, 'demo', 'api'),
    cloudAssembly: join(root, '.demo', 'api', 'cdk.out'),
    flows: [
      { name: 'CSR', run: (step, context) => runCsrApiFlow(step, context) },
      { name: 'Gateway', run: (step, context) => runGatewayFlow(step, context) },
    ],
  },
];

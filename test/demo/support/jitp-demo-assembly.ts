/** The JITP demo app synthesized in-process (the CDK CLI does the same with demo/jitp/app.ts). */
import { synthesizeDemo } from './jitr-demo-assembly';
import { JitpDemoStack } from '../../../demo/jitp/app';

/** Synthesizes JitpDemo into a new temporary cdk.out and answers its path. */
export function synthesizeJitpDemo(): string {
  return synthesizeDemo('jitp', (app) => new JitpDemoStack(app, 'JitpDemo'));
}

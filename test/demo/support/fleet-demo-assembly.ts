/** The fleet demo app synthesized in-process (the CDK CLI does the same with demo/fleet/app.ts). */
import { synthesizeDemo } from './jitr-demo-assembly';
import { FleetDemoStack } from '../../../demo/fleet/app';

/** Synthesizes FleetDemo into a new temporary cdk.out and answers its path. */
export function synthesizeFleetDemo(): string {
  return synthesizeDemo('fleet', (app) => new FleetDemoStack(app, 'FleetDemo'));
}

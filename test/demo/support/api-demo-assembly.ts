/** The device registration API demo app synthesized in-process (the CDK CLI does the same with demo/api/app.ts). */
import { synthesizeDemo } from './jitr-demo-assembly';
import { CsrApiDemoStack, GatewayDemoStack } from '../../../demo/api/app';

/** Synthesizes CsrApiDemo and GatewayDemo into a new temporary cdk.out and answers its path. */
export function synthesizeApiDemo(): string {
  return synthesizeDemo('api', (app) => {
    new CsrApiDemoStack(app, 'CsrApiDemo');
    new GatewayDemoStack(app, 'GatewayDemo');
  });
}

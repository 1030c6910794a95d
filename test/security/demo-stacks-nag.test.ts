/**
 * cdk-nag's AwsSolutions pack over every stack of every demo app (demo/jitr, demo/jitp,
 * demo/fleet, demo/api), the demo's own resources included (verifiers, factory and app roles):
 * no finding may remain that is not acknowledged, with its reason, where it is made.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CsrApiDemoStack, GatewayDemoStack } from '../../demo/api/app';
import { FleetDemoStack } from '../../demo/fleet/app';
import { JitpDemoStack } from '../../demo/jitp/app';
import { JitrDemoStack } from '../../demo/jitr/app';

const DEMO_STACKS: Array<[string, (app: App) => Stack]> = [
  ['demo/jitr JitrDemo', (app) => new JitrDemoStack(app, 'JitrDemo')],
  ['demo/jitp JitpDemo', (app) => new JitpDemoStack(app, 'JitpDemo')],
  ['demo/fleet FleetDemo', (app) => new FleetDemoStack(app, 'FleetDemo')],
  ['demo/api CsrApiDemo', (app) => new CsrApiDemoStack(app, 'CsrApiDemo')],
  ['demo/api GatewayDemo', (app) => new GatewayDemoStack(app, 'GatewayDemo')],
];

test.each(DEMO_STACKS)('%s has no unacknowledged AwsSolutions finding', (_name, makeStack) => {
  const app = new App();
  const stack = makeStack(app);
  // Synthesis runs construct validations, where acknowledgements of findings are recorded.
  app.synth();
  const report = new AwsSolutionsChecks(app).validateScope(stack);
  const findings = report.violations.map((violation) =>
    `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`);
  expect(findings).toEqual([]);
  expect(report.success).toBe(true);
});

test.each(DEMO_STACKS)('%s: every acknowledged finding carries its reason', (_name, makeStack) => {
  const app = new App();
  const stack = makeStack(app);
  app.synth();
  const acknowledged = stack.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, unknown>)
      .map(([rule, reason]) => ({ where: construct.node.path, rule, reason }))));
  expect(acknowledged.length).toBeGreaterThan(0);
  const withoutReason = acknowledged.filter(({ reason }) => typeof reason !== 'string' || reason.trim().split(/\s+/).length < 5);
  expect(withoutReason).toEqual([]);
});

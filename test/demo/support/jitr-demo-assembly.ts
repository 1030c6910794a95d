/**
 * The JITR demo app synthesized in-process (the CDK CLI does the same with demo/jitr/app.ts),
 * optionally with its template edited to plant a wiring fault.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { JitrDemoStack } from '../../../demo/jitr/app';

const REPO = resolve(__dirname, '..', '..', '..');

/** Synthesizes JitrDemo into a new temporary cdk.out and answers its path. */
export function synthesizeJitrDemo(): string {
  return synthesizeDemo('jitr', (app) => new JitrDemoStack(app, 'JitrDemo'));
}

/** Synthesizes one demo app (`addStacks` adds its stacks) into a new temporary cdk.out, bundling the handlers first if needed. */
export function synthesizeDemo(name: string, addStacks: (app: App) => void): string {
  if (!existsSync(join(REPO, 'assets', 'handlers'))) {
    execFileSync('npx', ['ts-node', '--project', 'tsconfig.dev.json', 'scripts/bundle-handlers.ts'], { cwd: REPO, stdio: 'inherit' });
  }
  const outdir = mkdtempSync(join(tmpdir(), `cdk-iot-security-${name}-demo-`));
  const app = new App({ outdir });
  addStacks(app);
  app.synth();
  return outdir;
}

type Template = { Resources: Record<string, { Type: string; Properties: any }> };

/** Edits the JitrDemo template of `cdkOut` in place. */
export function editJitrTemplate(cdkOut: string, edit: (template: Template) => void): void {
  const file = join(cdkOut, 'JitrDemo.template.json');
  const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
  edit(template);
  writeFileSync(file, JSON.stringify(template));
}

/** The template's resources of one type whose logical id starts with `prefix`. */
export function resourcesLike(template: Template, type: string, prefix: string): { Type: string; Properties: any }[] {
  const found = Object.entries(template.Resources).filter(([id, resource]) => resource.Type === type && id.startsWith(prefix)).map(([, r]) => r);
  if (found.length === 0) throw new Error(`no ${type} starting ${prefix}`);
  return found;
}

/** Removes one IAM action from every statement of the policies whose logical id starts with `policyPrefix`. */
export function withoutIamAction(template: Template, policyPrefix: string, action: string): void {
  let removed = 0;
  for (const policy of resourcesLike(template, 'AWS::IAM::Policy', policyPrefix)) {
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      const actions: string[] = [].concat(statement.Action);
      if (actions.includes(action)) {
        statement.Action = actions.filter((candidate) => candidate !== action);
        removed += 1;
      }
    }
  }
  if (removed === 0) throw new Error(`no statement of ${policyPrefix}* grants ${action}`);
}

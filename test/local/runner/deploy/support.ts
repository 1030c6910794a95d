/** Small hand-built stacks for the deploy module tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AssemblyStack, CfnTemplate, CfnTemplateResource } from '../../../../local/runner/assembly';
import { resolveStack, type ResolvedStack } from '../../../../local/runner/deploy/resolve-stack';
import type { ResolvedResource } from '../../../../local/runner/types';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-central-1';
export const TARGET = { accountId: ACCOUNT, region: REGION } as const;

const created: string[] = [];

/** A temporary directory, removed by {@link removeTemporaryDirectories}. */
export function temporaryDirectory(prefix: string): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), `deploy-test-${prefix}-`));
  created.push(directory);
  return directory;
}

/** Has the inline-code directories functionsFromTemplate wrote for `definitions` removed with the others; answers them. */
export function trackInlineCode<T extends { readonly codeDirectory: string }>(definitions: T[]): T[] {
  for (const { codeDirectory } of definitions) {
    if (path.basename(codeDirectory).startsWith('cdk-iot-security-inline-')) created.push(codeDirectory);
  }
  return definitions;
}

export function removeTemporaryDirectories(): void {
  for (const directory of created.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
}

/** An in-memory stack artifact around `resources` (template path and assets directory need not exist unless assets are read). */
export function stackOf(
  resources: Record<string, CfnTemplateResource>,
  options: { stackName?: string; assetsDirectory?: string; assetManifestPath?: string; extra?: Partial<CfnTemplate> } = {},
): AssemblyStack {
  const stackName = options.stackName ?? 'TestStack';
  const assetsDirectory = options.assetsDirectory ?? path.join(os.tmpdir(), 'deploy-test-no-assets');
  return {
    stackName,
    artifactId: stackName,
    templatePath: path.join(assetsDirectory, `${stackName}.template.json`),
    template: { Resources: resources, ...options.extra },
    assetsDirectory,
    ...(options.assetManifestPath ? { assetManifestPath: options.assetManifestPath } : {}),
  };
}

export function resolved(resources: Record<string, CfnTemplateResource>, options: Parameters<typeof stackOf>[1] = {}): ResolvedStack {
  return resolveStack(stackOf(resources, options), TARGET);
}

/** The resolved resource with this logical id (fails the test when there is none). */
export function byLogicalId(stack: ResolvedStack | readonly ResolvedResource[], logicalId: string): ResolvedResource {
  const resources = 'resources' in stack ? stack.resources : stack;
  const found = resources.find((resource) => resource.logicalId === logicalId);
  if (!found) throw new Error(`no resource ${logicalId}`);
  return found;
}

/** A role a Lambda function may assume, with the given inline policy statements. */
export function lambdaRole(statements: unknown[] = [], extra: Record<string, unknown> = {}): CfnTemplateResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      ...(statements.length > 0 ? { Policies: [{ PolicyName: 'inline', PolicyDocument: { Version: '2012-10-17', Statement: statements } }] } : {}),
      ...extra,
    },
  };
}

/** An inline-code Node.js function running as `roleLogicalId`. */
export function inlineFunction(roleLogicalId: string, extra: Record<string, unknown> = {}): CfnTemplateResource {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Code: { ZipFile: 'exports.handler = async () => "ok";' },
      Handler: 'index.handler',
      Runtime: 'nodejs20.x',
      Role: { 'Fn::GetAtt': [roleLogicalId, 'Arn'] },
      ...extra,
    },
  };
}

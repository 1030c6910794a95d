import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  AssemblyStack, CfnResource, lambdaCodeDirectory, readCloudAssembly, ResolutionContext, resolveValue, resourcesOf, supportedResourceReport,
} from '../../../../local/runner/assembly';
import { JustInTimeRegistration } from '../../../../src';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const ACCOUNT = '000000000000';
const REGION = 'local-1';

/** The handler bundles the constructs point at (the repo's `npm test` builds them first). */
function ensureBundledHandlers(): void {
  if (!fs.existsSync(path.join(REPO, 'assets', 'handlers'))) {
    execFileSync('npx', ['ts-node', '--project', 'tsconfig.dev.json', 'scripts/bundle-handlers.ts'], { cwd: REPO, stdio: 'inherit' });
  }
}

/** The JITR demo stack (as demo/jitr/app.ts builds it) synthesized into `outdir`. */
function synthesizeDemo(outdir: string): void {
  const app = new App({ outdir });
  const stack = new Stack(app, 'JitrDemo');
  const allowList = new lambda.Function(stack, 'AllowListVerifier', {
    code: lambda.Code.fromInline('exports.handler = async () => ({ verified: true });'),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    environment: { ALLOWED_CN_PREFIXES: 'demo-device-' },
  });
  new JustInTimeRegistration(stack, 'Jitr', { verifiers: { allowList } });
  app.synth();
}

function localContext(stack: AssemblyStack): ResolutionContext {
  return {
    accountId: ACCOUNT,
    region: REGION,
    stackName: stack.stackName,
    conditions: stack.template.Conditions,
    ref: (logicalId) => (stack.template.Resources?.[logicalId] ? `local-${logicalId}` : undefined),
    getAtt: (logicalId, attribute) => (stack.template.Resources?.[logicalId] ? `arn:aws:local:${REGION}:${ACCOUNT}:${logicalId}/${attribute}` : undefined),
  };
}

describe('the synthesized JITR demo stack', () => {
  let outdir: string;
  let stack: AssemblyStack;
  let resources: CfnResource[];
  const byPrefix = (type: string, prefix: string) => {
    const found = resources.filter((resource) => resource.type === type && resource.logicalId.startsWith(prefix));
    expect(found).toHaveLength(1);
    return found[0];
  };

  beforeAll(() => {
    ensureBundledHandlers();
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'jitr-demo-cdk-out-'));
    synthesizeDemo(outdir);
    const stacks = readCloudAssembly(outdir);
    expect(stacks.map((found) => found.stackName)).toEqual(['JitrDemo']);
    stack = stacks[0];
    resources = resourcesOf(stack.template);
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('is found with its template and asset manifest', () => {
    expect(stack.templatePath).toBe(path.join(outdir, 'JitrDemo.template.json'));
    expect(stack.assetManifestPath).toBe(path.join(outdir, 'JitrDemo.assets.json'));
    // The verifier, the two handlers, and aws-cdk-lib's function that empties the vault's buckets when the stack is deleted.
    expect(resources.filter((resource) => resource.type === 'AWS::Lambda::Function')).toHaveLength(4);
  });

  test('both handler functions have bundled code directories with index.js', () => {
    for (const prefix of ['JitrCaRegistratorHandlerFunction', 'JitrActivatorHandlerFunction']) {
      const directory = lambdaCodeDirectory(stack, byPrefix('AWS::Lambda::Function', prefix));
      expect(path.dirname(directory)).toBe(outdir);
      expect(path.basename(directory)).toMatch(/^asset\.[0-9a-f]{64}$/);
      expect(fs.existsSync(path.join(directory, 'index.js'))).toBe(true);
    }
    expect(() => lambdaCodeDirectory(stack, byPrefix('AWS::Lambda::Function', 'AllowListVerifier'))).toThrow(/inline code/);
  });

  test("the device activator's environment resolves to plain strings", () => {
    const activator = byPrefix('AWS::Lambda::Function', 'JitrActivatorHandlerFunction');
    const variables = resolveValue((activator.properties.Environment as Record<string, unknown>).Variables, localContext(stack));
    const verifier = byPrefix('AWS::Lambda::Function', 'AllowListVerifier');
    const devicePolicy = byPrefix('AWS::IoT::Policy', 'JitrDevicePolicy');
    expect(variables).toEqual({
      REGISTRAR_ID: expect.stringMatching(/^JitrDemo\/[0-9a-f]+$/),
      DEVICE_POLICY_NAME: `local-${devicePolicy.logicalId}`,
      VERIFIER_ARNS: expect.any(String),
    });
    const { VERIFIER_ARNS } = variables as Record<string, string>;
    expect(JSON.parse(VERIFIER_ARNS)).toEqual({ allowList: `arn:aws:local:${REGION}:${ACCOUNT}:${verifier.logicalId}/Arn` });
  });

  test("the topic rule's SQL resolves to the literal statement", () => {
    const rule = byPrefix('AWS::IoT::TopicRule', 'JitrActivatorTopicRule');
    const payload = resolveValue(rule.properties.TopicRulePayload, localContext(stack)) as Record<string, unknown>;
    expect(payload.Sql).toBe("SELECT * FROM '$aws/events/certificates/registered/+'");
  });

  test("the IAM policies' resource ARNs resolve with the local account and region", () => {
    const context = localContext(stack);
    const arns: string[] = [];
    for (const policy of resources.filter((resource) => resource.type === 'AWS::IAM::Policy')) {
      const document = resolveValue(policy.properties.PolicyDocument, context, `${policy.logicalId}.PolicyDocument`) as { Statement: Array<{ Resource: unknown }> };
      for (const statement of document.Statement) {
        arns.push(...([] as unknown[]).concat(statement.Resource).map((arn) => {
          expect(typeof arn).toBe('string');
          return arn as string;
        }));
      }
    }
    expect(arns).toContain(`arn:aws:iot:${REGION}:${ACCOUNT}:cert/*`);
    expect(arns).toContain(`arn:aws:iot:${REGION}:${ACCOUNT}:thing/*`);
    expect(arns.filter((arn) => arn.includes('${') || arn.includes('Fn::'))).toEqual([]);
  });

  test('every resource property and output of the stack resolves', () => {
    const context = localContext(stack);
    for (const resource of resources) {
      expect(() => resolveValue(resource.properties, context, resource.logicalId)).not.toThrow();
    }
    const outputs = resolveValue(stack.template.Outputs, context) as Record<string, { Value: string }>;
    expect(Object.values(outputs).map((output) => output.Value)).toContainEqual(expect.stringMatching(/^https:\/\/local-.*\.execute-api\.local-1\.amazonaws\.com\//));
  });

  test('reports the resource types a runner does not support', () => {
    const report = supportedResourceReport([stack], ['AWS::Lambda::*', 'AWS::SQS::Queue', 'AWS::IoT::TopicRule', 'AWS::IAM::*', 'AWS::S3::*', 'AWS::ApiGateway::*', 'AWS::IoT::Policy']);
    expect(new Set(report.unsupported.map((resource) => resource.type)))
      .toEqual(new Set(['AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::SQS::QueuePolicy', 'AWS::CloudWatch::Alarm', 'Custom::S3AutoDeleteObjects']));
    expect(report.supported.length + report.unsupported.length).toBe(resources.length);
  });
});

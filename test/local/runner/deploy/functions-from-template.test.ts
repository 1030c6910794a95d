import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ACCOUNT, byLogicalId, inlineFunction, lambdaRole, REGION, removeTemporaryDirectories, resolved, temporaryDirectory, trackInlineCode,
} from './support';
import { functionMatches, functionsFromTemplate } from '../../../../local/runner/deploy/functions-from-template';
import { loadIamFromTemplate } from '../../../../local/runner/deploy/iam-from-template';
import type { ResolvedStack } from '../../../../local/runner/deploy/resolve-stack';
import { LocalIam, servicePrincipal } from '../../../../local/runner/iam';
import type { LocalFunctionDefinition } from '../../../../local/runner/lambda';

function deploy(stack: ResolvedStack): { iam: LocalIam; definitions: LocalFunctionDefinition[] } {
  const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
  loadIamFromTemplate(iam, stack.resources);
  return { iam, definitions: trackInlineCode(functionsFromTemplate(stack, iam)) };
}

function only(definitions: LocalFunctionDefinition[], logicalId: string): LocalFunctionDefinition {
  const found = definitions.filter((definition) => definition.logicalId === logicalId);
  expect(found).toHaveLength(1);
  return found[0];
}

const ASSET_HASH = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';

/** An assembly directory holding `asset.<hash>/index.js`, optionally under another folder name. */
function assemblyWithAsset(folder = `asset.${ASSET_HASH}`): string {
  const directory = temporaryDirectory('assets');
  fs.mkdirSync(path.join(directory, folder));
  fs.writeFileSync(path.join(directory, folder, 'index.js'), 'exports.handler = async () => "asset";');
  return directory;
}

const assetCode = {
  S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
  S3Key: `${ASSET_HASH}.zip`,
};

afterAll(removeTemporaryDirectories);

describe('functionsFromTemplate', () => {
  test('inline code (Code.ZipFile, resolved) is written as index.js of a fresh code directory', () => {
    const stack = resolved({
      Role: lambdaRole(),
      Fn: inlineFunction('Role', { Code: { ZipFile: { 'Fn::Join': ['', ['exports.handler = async () => "', { Ref: 'AWS::Region' }, '";']] } } }),
    });
    const { codeDirectory } = only(deploy(stack).definitions, 'Fn');
    expect(fs.readFileSync(path.join(codeDirectory, 'index.js'), 'utf8')).toBe(`exports.handler = async () => "${REGION}";`);
    expect(path.basename(codeDirectory)).toMatch(/^cdk-iot-security-inline-Fn-/);
  });

  test("an asset is found through the stack's asset manifest by its S3 key", () => {
    const assetsDirectory = assemblyWithAsset('custom-folder');
    const assetManifestPath = path.join(assetsDirectory, 'TestStack.assets.json');
    fs.writeFileSync(assetManifestPath, JSON.stringify({
      version: '36.0.0',
      files: { [ASSET_HASH]: { source: { path: 'custom-folder', packaging: 'zip' }, destinations: { 'current_account-current_region': { objectKey: `${ASSET_HASH}.zip` } } } },
    }));
    const stack = resolved({ Role: lambdaRole(), Fn: inlineFunction('Role', { Code: assetCode }) }, { assetsDirectory, assetManifestPath });
    expect(only(deploy(stack).definitions, 'Fn').codeDirectory).toBe(path.join(assetsDirectory, 'custom-folder'));
  });

  test('an asset is found through the aws:asset:path metadata', () => {
    const assetsDirectory = assemblyWithAsset('from-metadata');
    const stack = resolved({
      Role: lambdaRole(),
      Fn: { ...inlineFunction('Role', { Code: assetCode }), Metadata: { 'aws:asset:path': 'from-metadata', 'aws:asset:property': 'Code' } },
    }, { assetsDirectory });
    expect(only(deploy(stack).definitions, 'Fn').codeDirectory).toBe(path.join(assetsDirectory, 'from-metadata'));
  });

  test('an asset is found by the asset.<hash> convention', () => {
    const assetsDirectory = assemblyWithAsset();
    const stack = resolved({ Role: lambdaRole(), Fn: inlineFunction('Role', { Code: assetCode }) }, { assetsDirectory });
    expect(only(deploy(stack).definitions, 'Fn').codeDirectory).toBe(path.join(assetsDirectory, `asset.${ASSET_HASH}`));
  });

  test('a missing asset directory fails, naming the function', () => {
    const stack = resolved({ Role: lambdaRole(), Fn: inlineFunction('Role', { Code: assetCode }) }, { assetsDirectory: temporaryDirectory('empty') });
    expect(() => deploy(stack)).toThrow(/TestStack\/Fn: no asset directory/);
  });

  test('handler, runtime, resolved environment (as strings), timeout, memory and reserved concurrency', () => {
    const stack = resolved({
      Role: lambdaRole(),
      Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      Fn: inlineFunction('Role', {
        Handler: 'main.run',
        Runtime: 'nodejs22.x',
        Environment: { Variables: { BUCKET: { Ref: 'Bucket' }, BUCKET_ARN: { 'Fn::GetAtt': ['Bucket', 'Arn'] }, COUNT: 3, FLAG: true } },
        Timeout: 60,
        MemorySize: '512',
        ReservedConcurrentExecutions: 0,
      }),
    });
    const bucket = byLogicalId(stack, 'Bucket');
    const fn = only(deploy(stack).definitions, 'Fn');
    expect(fn).toMatchObject({
      handler: 'main.run',
      runtime: 'nodejs22.x',
      environment: { BUCKET: bucket.physicalId, BUCKET_ARN: bucket.attributes.Arn, COUNT: '3', FLAG: 'true' },
      timeoutSeconds: 60,
      memorySizeMb: 512,
      reservedConcurrency: 0,
    });
    expect(fn.functionName).toBe(byLogicalId(stack, 'Fn').physicalId);
    expect(fn.functionArn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.functionName}`);
  });

  test("limits the template leaves out are left to Lambda's defaults; no environment is an empty one", () => {
    const fn = only(deploy(resolved({ Role: lambdaRole(), Fn: inlineFunction('Role') })).definitions, 'Fn');
    expect(fn.environment).toEqual({});
    expect(fn.timeoutSeconds).toBeUndefined();
    expect(fn.memorySizeMb).toBeUndefined();
    expect(fn.reservedConcurrency).toBeUndefined();
    expect(fn.resourcePolicy).toBeUndefined();
  });

  test("the function runs with its role's credentials, those IAM issued for that role", () => {
    const stack = resolved({ Role: lambdaRole(), Other: lambdaRole(), Fn: inlineFunction('Role') });
    const { iam, definitions } = deploy(stack);
    const fn = only(definitions, 'Fn');
    const roleArn = byLogicalId(stack, 'Role').attributes.Arn;
    expect(fn.role.arn).toBe(roleArn);
    expect(fn.role.credentials).toEqual(iam.credentialsFor(roleArn));
    expect(fn.role.credentials.accessKeyId).not.toBe(iam.credentialsFor(byLogicalId(stack, 'Other').attributes.Arn).accessKeyId);
  });

  test('a function whose role IAM does not know fails', () => {
    const stack = resolved({ Fn: inlineFunction('Role', { Code: assetCode, Role: `arn:aws:iam::${ACCOUNT}:role/nowhere` }) }, { assetsDirectory: assemblyWithAsset() });
    expect(() => deploy(stack)).toThrow(/Unknown role arn:aws:iam::111122223333:role\/nowhere/);
  });

  describe('resource policy from AWS::Lambda::Permission', () => {
    const apiArn = (stage: string) => ({ 'Fn::Join': ['', [`arn:aws:execute-api:${REGION}:${ACCOUNT}:`, { Ref: 'Api' }, `/${stage}/POST/caRegister`]] });
    const stack = () => resolved({
      Role: lambdaRole(),
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
      Fn: inlineFunction('Role'),
      Other: inlineFunction('Role'),
      ByArn: {
        Type: 'AWS::Lambda::Permission',
        Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Principal: 'apigateway.amazonaws.com', SourceArn: apiArn('prod') },
      },
      ByName: {
        Type: 'AWS::Lambda::Permission',
        Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Fn' }, Principal: 'iot.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } },
      },
      ForOther: {
        Type: 'AWS::Lambda::Permission',
        Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::Sub': '${AWS::Region}:${AWS::AccountId}:function:${Other}' }, Principal: '444455556666' },
      },
    });

    test('each permission becomes a statement of its own function, with SourceArn as ArnLike and SourceAccount as StringEquals', () => {
      const resolvedStack = stack();
      const { definitions } = deploy(resolvedStack);
      const fn = only(definitions, 'Fn');
      const apiId = byLogicalId(resolvedStack, 'Api').physicalId;
      expect(fn.resourcePolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ByArn',
            Effect: 'Allow',
            Principal: { Service: 'apigateway.amazonaws.com' },
            Action: 'lambda:InvokeFunction',
            Resource: fn.functionArn,
            Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/prod/POST/caRegister` } },
          },
          {
            Sid: 'ByName',
            Effect: 'Allow',
            Principal: { Service: 'iot.amazonaws.com' },
            Action: 'lambda:InvokeFunction',
            Resource: fn.functionArn,
            Condition: { StringEquals: { 'AWS:SourceAccount': ACCOUNT } },
          },
        ],
      });
      // A partial ARN (region:account:function:name) names the function too; an account principal is an AWS principal.
      const other = only(definitions, 'Other');
      expect(other.resourcePolicy?.Statement).toEqual([
        { Sid: 'ForOther', Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'lambda:InvokeFunction', Resource: other.functionArn },
      ]);
    });

    test('IAM evaluates the statements: API Gateway may invoke from the granted source ARN only', () => {
      const resolvedStack = stack();
      const { iam, definitions } = deploy(resolvedStack);
      const fn = only(definitions, 'Fn');
      const apiId = byLogicalId(resolvedStack, 'Api').physicalId;
      const invoke = (service: string, context: Record<string, string>) => iam.authorize({
        principal: servicePrincipal(service, ACCOUNT), action: 'lambda:InvokeFunction', resource: fn.functionArn, resourcePolicy: fn.resourcePolicy, context,
      }).allowed;
      expect(invoke('apigateway.amazonaws.com', { 'aws:SourceArn': `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/prod/POST/caRegister` })).toBe(true);
      expect(invoke('apigateway.amazonaws.com', { 'aws:SourceArn': `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/test/POST/caRegister` })).toBe(false);
      expect(invoke('iot.amazonaws.com', { 'aws:SourceAccount': ACCOUNT })).toBe(true);
      expect(invoke('iot.amazonaws.com', { 'aws:SourceAccount': '999999999999' })).toBe(false);
      expect(invoke('events.amazonaws.com', {})).toBe(false);
    });
  });
});

describe('functionMatches', () => {
  const fn = {
    stackName: 'S',
    logicalId: 'Fn',
    type: 'AWS::Lambda::Function',
    physicalId: 'S-Fn-ABC',
    properties: {},
    attributes: { Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:S-Fn-ABC` },
  };

  test('accepts the name, the ARN and a partial ARN', () => {
    expect(functionMatches(fn, 'S-Fn-ABC')).toBe(true);
    expect(functionMatches(fn, fn.attributes.Arn)).toBe(true);
    expect(functionMatches(fn, `${ACCOUNT}:function:S-Fn-ABC`)).toBe(true);
  });

  test('refuses other functions, including names that merely end the same', () => {
    expect(functionMatches(fn, 'Fn-ABC')).toBe(false);
    expect(functionMatches(fn, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:X-S-Fn-ABC`)).toBe(false);
    expect(functionMatches(fn, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:S-Fn-ABCD`)).toBe(false);
  });
});

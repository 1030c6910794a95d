import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AssemblyStack, CfnTemplate, lambdaCodeDirectory, readCloudAssembly, resourcesOf, supportedResourceReport } from '../../../../local/runner/assembly';

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
}

const TEMPLATE: CfnTemplate = {
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } },
    Role: { Type: 'AWS::IAM::Role', DependsOn: 'Queue', Condition: 'IsProd' },
    Fn: {
      Type: 'AWS::Lambda::Function',
      Properties: { Code: { S3Bucket: 'b', S3Key: 'abc123.zip' }, Handler: 'index.handler' },
      DependsOn: ['Role', 'Queue'],
      Metadata: { 'aws:cdk:path': 'Stack/Fn' },
    },
  },
};

describe('readCloudAssembly', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assembly-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('finds stack artifacts, naming them from properties or the artifact id', () => {
    writeJson(path.join(dir, 'manifest.json'), {
      version: '53.0.0',
      artifacts: {
        'One.assets': { type: 'cdk:asset-manifest', properties: { file: 'One.assets.json' } },
        'One': { type: 'aws:cloudformation:stack', properties: { templateFile: 'One.template.json' }, dependencies: ['One.assets'] },
        'Two': { type: 'aws:cloudformation:stack', properties: { templateFile: 'Two.template.json', stackName: 'prod-two' } },
        'Tree': { type: 'cdk:tree', properties: { file: 'tree.json' } },
        'Stage': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Stage' } },
      },
    });
    writeJson(path.join(dir, 'One.assets.json'), { files: {} });
    writeJson(path.join(dir, 'One.template.json'), TEMPLATE);
    writeJson(path.join(dir, 'Two.template.json'), { Resources: {} });

    const stacks = readCloudAssembly(dir);
    expect(stacks.map((stack) => [stack.stackName, stack.artifactId])).toEqual([['One', 'One'], ['prod-two', 'Two']]);
    expect(stacks[0]).toMatchObject({
      templatePath: path.join(dir, 'One.template.json'),
      assetsDirectory: dir,
      assetManifestPath: path.join(dir, 'One.assets.json'),
      template: TEMPLATE,
    });
    expect(stacks[1].assetManifestPath).toBeUndefined();
  });

  test('falls back to <artifact>.assets.json when no dependency names the asset manifest', () => {
    writeJson(path.join(dir, 'manifest.json'), { artifacts: { S: { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json' } } } });
    writeJson(path.join(dir, 'S.template.json'), {});
    writeJson(path.join(dir, 'S.assets.json'), { files: {} });
    expect(readCloudAssembly(dir)[0].assetManifestPath).toBe(path.join(dir, 'S.assets.json'));
  });

  test('an assembly without stacks yields none', () => {
    writeJson(path.join(dir, 'manifest.json'), { version: '53.0.0' });
    expect(readCloudAssembly(dir)).toEqual([]);
  });

  test('reports a missing manifest, a missing or broken template, and a stack without templateFile', () => {
    expect(() => readCloudAssembly(dir)).toThrow(/cannot read cloud assembly manifest .*manifest\.json/);
    writeJson(path.join(dir, 'manifest.json'), { artifacts: { S: { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json' } } } });
    expect(() => readCloudAssembly(dir)).toThrow(/cannot read template of stack S/);
    fs.writeFileSync(path.join(dir, 'S.template.json'), '{ nope');
    expect(() => readCloudAssembly(dir)).toThrow(/template of stack S .* is not JSON/);
    fs.writeFileSync(path.join(dir, 'S.template.json'), '[]');
    expect(() => readCloudAssembly(dir)).toThrow(/is not an object/);
    writeJson(path.join(dir, 'manifest.json'), { artifacts: { S: { type: 'aws:cloudformation:stack', properties: {} } } });
    expect(() => readCloudAssembly(dir)).toThrow(/stack artifact S .* names no templateFile/);
  });
});

describe('resourcesOf and supportedResourceReport', () => {
  test('lists resources in template order with DependsOn as a list', () => {
    expect(resourcesOf(TEMPLATE)).toEqual([
      { logicalId: 'Queue', type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 30 }, dependsOn: [] },
      { logicalId: 'Role', type: 'AWS::IAM::Role', properties: {}, dependsOn: ['Queue'], condition: 'IsProd' },
      {
        logicalId: 'Fn',
        type: 'AWS::Lambda::Function',
        properties: TEMPLATE.Resources!.Fn.Properties,
        dependsOn: ['Role', 'Queue'],
        metadata: { 'aws:cdk:path': 'Stack/Fn' },
      },
    ]);
    expect(resourcesOf({})).toEqual([]);
  });

  test('splits supported from unsupported resources across stacks, with prefix wildcards', () => {
    const stack = (stackName: string, template: CfnTemplate) => ({ stackName, template } as AssemblyStack);
    const stacks = [stack('A', TEMPLATE), stack('B', { Resources: { Topic: { Type: 'AWS::SNS::Topic' }, Q: { Type: 'AWS::SQS::Queue' } } })];
    const report = supportedResourceReport(stacks, ['AWS::Lambda::Function', 'AWS::SQS::*']);
    expect(report.supported.map((resource) => resource.logicalId)).toEqual(['Queue', 'Fn', 'Q']);
    expect(report.unsupported).toEqual([
      { stackName: 'A', logicalId: 'Role', type: 'AWS::IAM::Role' },
      { stackName: 'B', logicalId: 'Topic', type: 'AWS::SNS::Topic' },
    ]);
  });
});

describe('lambdaCodeDirectory', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assembly-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fn = (code: unknown, metadata?: Record<string, unknown>) => ({
    logicalId: 'Fn',
    type: 'AWS::Lambda::Function',
    properties: { Code: code },
    dependsOn: [],
    ...(metadata ? { metadata } : {}),
  });
  const stackIn = (assetManifestPath?: string): AssemblyStack => ({
    stackName: 'S',
    artifactId: 'S',
    templatePath: path.join(dir, 'S.template.json'),
    template: {},
    assetsDirectory: dir,
    ...(assetManifestPath ? { assetManifestPath } : {}),
  });

  test('maps the S3 key to the source path through the asset manifest', () => {
    fs.mkdirSync(path.join(dir, 'custom-source'));
    writeJson(path.join(dir, 'S.assets.json'), {
      files: {
        other: { source: { path: 'elsewhere' }, destinations: { d: { objectKey: 'other.zip' } } },
        abc123: { source: { path: 'custom-source', packaging: 'zip' }, destinations: { d: { objectKey: 'abc123.zip' } } },
      },
    });
    expect(lambdaCodeDirectory(stackIn(path.join(dir, 'S.assets.json')), fn({ S3Key: 'abc123.zip' }))).toBe(path.join(dir, 'custom-source'));
  });

  test('falls back to aws:asset:path metadata, then to asset.<hash>', () => {
    fs.mkdirSync(path.join(dir, 'from-metadata'));
    fs.mkdirSync(path.join(dir, 'asset.abc123'));
    expect(lambdaCodeDirectory(stackIn(), fn({ S3Key: 'abc123.zip' }, { 'aws:asset:path': 'from-metadata' }))).toBe(path.join(dir, 'from-metadata'));
    expect(lambdaCodeDirectory(stackIn(), fn({ S3Key: 'abc123.zip' }))).toBe(path.join(dir, 'asset.abc123'));
  });

  test('rejects inline code, missing code, non-literal keys, pre-zipped and missing assets', () => {
    expect(() => lambdaCodeDirectory(stackIn(), fn({ ZipFile: 'exports.handler = 1' }))).toThrow('S/Fn has inline code (Code.ZipFile)');
    expect(() => lambdaCodeDirectory(stackIn(), fn(undefined))).toThrow('S/Fn has no Code property');
    expect(() => lambdaCodeDirectory(stackIn(), fn({ S3Key: { Ref: 'Key' } }))).toThrow(/no literal Code.S3Key/);
    fs.writeFileSync(path.join(dir, 'asset.zipped.zip'), 'PK');
    writeJson(path.join(dir, 'S.assets.json'), { files: { z: { source: { path: 'asset.zipped.zip' }, destinations: { d: { objectKey: 'zipped.zip' } } } } });
    expect(() => lambdaCodeDirectory(stackIn(path.join(dir, 'S.assets.json')), fn({ S3Key: 'zipped.zip' }))).toThrow(/is a file, not a directory/);
    expect(() => lambdaCodeDirectory(stackIn(), fn({ S3Key: 'gone.zip' }))).toThrow(/no asset directory for S3 key gone.zip/);
  });
});

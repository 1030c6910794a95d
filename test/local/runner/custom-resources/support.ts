/** Small CDK apps with Provider-framework custom resources, synthesized in-process, and what the tests read back. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { startStackRunner, type RunningStacks, type StackRunnerOptions } from '../../../../local/runner/stack-runner';

/**
 * The user's onEvent: stores the request it got under `events/<RequestType>/<n>-<LogicalResourceId>.json` in the
 * stack's bucket (n: how many requests of that type it had stored before), fails when the properties ask it to, and
 * answers a PhysicalResourceId and Data from its properties.
 */
export const ON_EVENT = `
const { S3Client, PutObjectCommand, ListObjectsV2Command } = require('@aws-sdk/client-s3');
const s3 = new S3Client({});
exports.handler = async (event) => {
  const prefix = 'events/' + event.RequestType + '/';
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: process.env.BUCKET, Prefix: prefix }));
  const before = listed.KeyCount || 0;
  const key = prefix + String(before).padStart(3, '0') + '-' + event.LogicalResourceId + '.json';
  await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: key, Body: JSON.stringify(event) }));
  const properties = event.ResourceProperties;
  if (properties.Fail) throw new Error(properties.Fail);
  if (event.RequestType === 'Delete') return {};
  return {
    PhysicalResourceId: properties.Name ? 'thing-' + properties.Name : undefined,
    Data: { Name: properties.Name, Before: before, ...(properties.Padding ? { Padding: 'x'.repeat(Number(properties.Padding)) } : {}) },
  };
};
`;

/** The user's isComplete: stores each call under `polls/<RequestType>/`, and says complete at the third. */
export const IS_COMPLETE = `
const { S3Client, PutObjectCommand, ListObjectsV2Command } = require('@aws-sdk/client-s3');
const s3 = new S3Client({});
exports.handler = async (event) => {
  const prefix = 'polls/' + event.RequestType + '/';
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: process.env.BUCKET, Prefix: prefix }));
  const calls = (listed.KeyCount || 0) + 1;
  await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: prefix + calls + '.json', Body: JSON.stringify(event) }));
  const complete = calls >= Number(process.env.COMPLETE_AT || 3);
  return complete ? { IsComplete: true, Data: { Polls: calls } } : { IsComplete: false };
};
`;

export function inlineFunction(stack: Stack, id: string, code: string, environment: Record<string, string> = {}): lambda.Function {
  return new lambda.Function(stack, id, {
    code: lambda.Code.fromInline(code),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    environment,
  });
}

const scratch: string[] = [];

/** A cloud assembly of one stack, built by `build`. */
export function synthesize(stackName: string, build: (stack: Stack) => void): string {
  const outdir = mkdtempSync(join(tmpdir(), 'runner-custom-resources-'));
  scratch.push(outdir);
  const app = new App({ outdir });
  build(new Stack(app, stackName));
  app.synth();
  return outdir;
}

export async function startRunner(outdir: string, options: Partial<StackRunnerOptions> = {}): Promise<RunningStacks> {
  const stateDirectory = mkdtempSync(join(tmpdir(), 'runner-custom-resources-state-'));
  scratch.push(stateDirectory);
  return startStackRunner({ cloudAssemblies: [outdir], stateDirectory, rateLimits: false, ...options });
}

export function removeScratch(): void {
  for (const directory of scratch.splice(0)) rmSync(directory, { recursive: true, force: true });
}

/** The JSON objects stored under `prefix` in the stacks' one bucket, in key order (read as the demo's admin). */
export async function storedObjects(runner: RunningStacks, prefix: string): Promise<Record<string, any>[]> {
  const client = new S3Client({ endpoint: runner.endpoints.S3, region: runner.region, credentials: runner.adminCredentials, forcePathStyle: true });
  const bucket = runner.resourcesOfType('AWS::S3::Bucket')[0].physicalId;
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const objects: Record<string, any>[] = [];
  for (const { Key } of listed.Contents ?? []) {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
    objects.push(JSON.parse(await object.Body!.transformToString()));
  }
  client.destroy();
  return objects;
}

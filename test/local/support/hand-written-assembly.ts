/**
 * A cloud assembly written by hand (manifest.json and one stack template), as `cdk synth` lays it
 * out, for runner tests whose stack is easier to state as CloudFormation than to build with constructs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RUNNER_ACCOUNT = '123456789012';
export const RUNNER_REGION = 'us-east-1';

/** Writes the assembly into a new temporary directory (the caller removes it) and answers the directory. */
export function writeCloudAssembly(stackName: string, resources: Record<string, unknown>, outputs: Record<string, unknown> = {}): string {
  const directory = mkdtempSync(join(tmpdir(), 'hand-written-assembly-'));
  const templateFile = `${stackName}.template.json`;
  writeFileSync(join(directory, templateFile), JSON.stringify({ Resources: resources, Outputs: outputs }, null, 1));
  writeFileSync(join(directory, 'manifest.json'), JSON.stringify({
    version: '36.0.0',
    artifacts: { [stackName]: { type: 'aws:cloudformation:stack', environment: `aws://${RUNNER_ACCOUNT}/${RUNNER_REGION}`, properties: { templateFile } } },
  }, null, 1));
  return directory;
}

/** The trust policy of a role that `service` (e.g. iot.amazonaws.com) may assume. */
export function trustFor(service: string, condition?: Record<string, unknown>): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) }],
  };
}

/** An AWS::IAM::Role with a trust policy, inline statements and managed policy ARNs. */
export function role(trust: Record<string, unknown>, statements: unknown[] = [], managedPolicyArns: string[] = []): Record<string, unknown> {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: trust,
      ...(statements.length > 0 ? { Policies: [{ PolicyName: 'inline', PolicyDocument: { Version: '2012-10-17', Statement: statements } }] } : {}),
      ...(managedPolicyArns.length > 0 ? { ManagedPolicyArns: managedPolicyArns } : {}),
    },
  };
}

/** The AWS managed policy AWS documents for provisioning roles. */
export const THINGS_REGISTRATION_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSIoTThingsRegistration';

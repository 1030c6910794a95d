/**
 * Lambda functions from the resolved template: their code (the asset directory cdk synth wrote,
 * or inline code written out as Lambda does), handler, environment, limits, role credentials,
 * and the resource policy their AWS::Lambda::Permission resources make up.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lambdaCodeDirectory, type AssemblyStack } from '../assembly';
import type { LocalIam } from '../iam';
import type { PolicyDocument, PolicyStatement } from '../iam/types';
import { writeInlineCode } from '../lambda';
import type { LocalFunctionDefinition } from '../lambda/types';
import type { ResolvedResource } from '../types';
import type { ResolvedStack } from './resolve-stack';

function codeDirectoryOf(stack: AssemblyStack, fn: ResolvedResource, inlineCodeRoot: string): string {
  const code = fn.properties.Code as { ZipFile?: string } | undefined;
  if (typeof code?.ZipFile === 'string') {
    return writeInlineCode(code.ZipFile, mkdtempSync(join(inlineCodeRoot, `cdk-iot-security-inline-${fn.logicalId}-`)));
  }
  const raw = stack.template.Resources?.[fn.logicalId];
  return lambdaCodeDirectory(stack, {
    logicalId: fn.logicalId,
    type: fn.type,
    properties: fn.properties as Record<string, unknown>,
    dependsOn: [],
    ...(raw?.Metadata ? { metadata: raw.Metadata } : {}),
  });
}

/** The statement an AWS::Lambda::Permission adds to its function's resource policy. */
function permissionStatement(permission: ResolvedResource, functionArn: string): PolicyStatement {
  const principal = String(permission.properties.Principal);
  const conditions: Record<string, Record<string, string>> = {};
  if (permission.properties.SourceArn) conditions.ArnLike = { 'AWS:SourceArn': String(permission.properties.SourceArn) };
  if (permission.properties.SourceAccount) conditions.StringEquals = { 'AWS:SourceAccount': String(permission.properties.SourceAccount) };
  return {
    Sid: permission.logicalId,
    Effect: 'Allow',
    Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
    Action: String(permission.properties.Action),
    Resource: functionArn,
    ...(Object.keys(conditions).length > 0 ? { Condition: conditions } : {}),
  };
}

/** FunctionName of a permission or mapping may be a name, an ARN or a partial ARN. */
export function functionMatches(fn: ResolvedResource, nameOrArn: string): boolean {
  return nameOrArn === fn.physicalId || nameOrArn === fn.attributes.Arn || nameOrArn.endsWith(`:function:${fn.physicalId}`);
}

/**
 * One function: its code, settings, role credentials, and the resource policy the stack's
 * AWS::Lambda::Permission resources (among `resources`) make up. `inlineCodeRoot`: where inline
 * (Code.ZipFile) code is written out; the caller removes it when done.
 */
export function functionDefinition(
  stack: AssemblyStack, fn: ResolvedResource, resources: readonly ResolvedResource[], iam: LocalIam, inlineCodeRoot: string = tmpdir(),
): LocalFunctionDefinition {
  const properties = fn.properties as Record<string, any>;
  const roleArn = String(properties.Role);
  const statements = resources
    .filter((resource) => resource.type === 'AWS::Lambda::Permission' && functionMatches(fn, String(resource.properties.FunctionName)))
    .map((permission) => permissionStatement(permission, fn.attributes.Arn));
  const resourcePolicy: PolicyDocument | undefined = statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  return {
    logicalId: fn.logicalId,
    functionName: fn.physicalId,
    functionArn: fn.attributes.Arn,
    codeDirectory: codeDirectoryOf(stack, fn, inlineCodeRoot),
    handler: String(properties.Handler),
    runtime: String(properties.Runtime),
    environment: Object.fromEntries(Object.entries(properties.Environment?.Variables ?? {}).map(([key, value]) => [key, String(value)])),
    timeoutSeconds: properties.Timeout === undefined ? undefined : Number(properties.Timeout),
    memorySizeMb: properties.MemorySize === undefined ? undefined : Number(properties.MemorySize),
    reservedConcurrency: properties.ReservedConcurrentExecutions === undefined ? undefined : Number(properties.ReservedConcurrentExecutions),
    role: { arn: roleArn, credentials: iam.credentialsFor(roleArn) },
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
}

/** `inlineCodeRoot`: where inline (Code.ZipFile) functions are written out; the caller removes it when done. */
export function functionsFromTemplate(stack: ResolvedStack, iam: LocalIam, inlineCodeRoot: string = tmpdir()): LocalFunctionDefinition[] {
  return stack.resources
    .filter((resource) => resource.type === 'AWS::Lambda::Function')
    .map((fn) => functionDefinition(stack.stack, fn, stack.resources, iam, inlineCodeRoot));
}

import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { attachRolePolicy } from './role-policy';

/**
 * Where the build puts the bundled handlers (scripts/bundle-handlers.ts).
 * The same relative path works from src/core (tests) and lib/core (package).
 */
const HANDLER_ASSETS_DIR = path.join(__dirname, '..', '..', 'assets', 'handlers');

/** The bundled code of one handler in lambda-assets/<name>/. */
export function handlerCode(name: string): lambda.Code {
  return lambda.Code.fromAsset(path.join(HANDLER_ASSETS_DIR, name));
}

export interface HandlerFunctionProps {
  /** Folder name in lambda-assets/. */
  readonly handlerName: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly reservedConcurrentExecutions?: number;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Every handler the library deploys: Node.js 24 on arm64, JSON logs into a log
 * group the stack owns, and a role of its own holding only what it is granted
 * (no managed policy: the log permissions are scoped to that one log group).
 */
export class HandlerFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      // Deleted with the stack unless the construct's removalPolicy says RETAIN (applyLogGroupRemovalPolicy).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Role of ${props.handlerName}: ${props.description}`.slice(0, 1000),
    });
    const logsPolicy = attachRolePolicy(this, 'LogsPolicy', this.role, [new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    })], 'Log streams are created at run time; the wildcard covers only the streams of this function\'s own log group.');
    this.function = new lambda.Function(this, 'Function', {
      code: handlerCode(props.handlerName),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      environment: props.environment,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
    });
    this.function.node.addDependency(logsPolicy);
  }
}

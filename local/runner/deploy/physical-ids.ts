/**
 * What CloudFormation would answer for `Ref` and `Fn::GetAtt` once a resource exists: its
 * physical name or id and its attributes. Names the template sets are used as given; the others
 * are generated the way CloudFormation does (stack name, logical id, random suffix), so the
 * handlers see values of the same shape as in AWS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { certificateIdOf } from '../../../lambda-assets/shared/pki';

export interface PhysicalIdentity {
  readonly physicalId: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface NamingContext {
  readonly stackName: string;
  readonly logicalId: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** The resource's explicit name property, resolved, when the template sets one. */
  readonly explicitName?: string;
  /**
   * Where queue URLs point (`<base>/<account>/<name>`); default AWS's `https://sqs.<region>.amazonaws.com`. The runner
   * gives its local SQS API: the SDK sends a queue's calls to its URL's host, whatever the client's endpoint.
   */
  readonly sqsUrlBase?: string;
}

/**
 * For types whose physical id comes from a property other than a name (a CA certificate's id is
 * the SHA-256 of its DER), the property the runner resolves first and passes as `explicitName`.
 */
export const IDENTITY_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::IoT::CACertificate': 'CACertificatePem',
};

/** The property that names each resource type, when the template may set one. */
export const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::Policy': 'PolicyName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::IoT::Policy': 'PolicyName',
  'AWS::IoT::TopicRule': 'RuleName',
  'AWS::IoT::ProvisioningTemplate': 'TemplateName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ApiGateway::Model': 'Name',
  'AWS::ApiGateway::Stage': 'StageName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::IoT::RoleAlias': 'RoleAlias',
  'AWS::IoT::ThingType': 'ThingTypeName',
  'AWS::SecretsManager::Secret': 'Name',
  // Not a name, but what Ref answers: the secret's ARN.
  'AWS::SecretsManager::ResourcePolicy': 'SecretId',
};

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomText(length: number, alphabet = ALPHANUMERIC): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

/** CloudFormation's generated names: `<stack>-<logical id>-<suffix>`, the middle cut to fit `max`. */
function generatedName(context: NamingContext, max: number, separator = '-', suffixLength = 12): string {
  const suffix = randomText(suffixLength);
  const room = max - context.stackName.length - suffix.length - 2 * separator.length;
  const logical = context.logicalId.slice(0, Math.max(room, 1));
  return `${context.stackName}${separator}${logical}${separator}${suffix}`.slice(0, max);
}

/** `<logical id><separator><suffix>`, the logical id cut so the whole name fits `max` (the service's name length limit). */
function suffixedName(logicalId: string, max: number, separator = '-', suffixLength = 12): string {
  const suffix = randomText(suffixLength);
  return `${logicalId.slice(0, Math.max(max - suffix.length - separator.length, 1))}${separator}${suffix}`;
}

function lowerCaseId(length: number): string {
  return randomText(length, 'abcdefghijklmnopqrstuvwxyz0123456789');
}

/** The physical id and attributes of one resource. Unknown types get a generated id and no attributes. */
export function physicalIdentity(type: string, context: NamingContext): PhysicalIdentity {
  const { accountId, region, partition, explicitName } = context;
  const arn = (service: string, resource: string, inRegion = true) =>
    `arn:${partition}:${service}:${inRegion ? region : ''}:${inRegion ? accountId : ''}:${resource}`;
  switch (type) {
    case 'AWS::IAM::Role': {
      const name = explicitName ?? generatedName(context, 64);
      return { physicalId: name, attributes: { Arn: `arn:${partition}:iam::${accountId}:role/${name}`, RoleId: `AROA${randomText(17)}` } };
    }
    case 'AWS::Lambda::Function': {
      const name = explicitName ?? generatedName(context, 64);
      return { physicalId: name, attributes: { Arn: arn('lambda', `function:${name}`) } };
    }
    case 'AWS::SQS::Queue': {
      const name = explicitName ?? generatedName(context, 80);
      const url = `${context.sqsUrlBase ?? `https://sqs.${region}.amazonaws.com`}/${accountId}/${name}`;
      return { physicalId: url, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url } };
    }
    case 'AWS::S3::Bucket': {
      // Bucket names are lower case.
      const lowerCase = { ...context, stackName: context.stackName.toLowerCase(), logicalId: context.logicalId.toLowerCase() };
      const name = explicitName ?? generatedName(lowerCase, 63).toLowerCase();
      return {
        physicalId: name,
        attributes: {
          Arn: `arn:${partition}:s3:::${name}`,
          DomainName: `${name}.s3.amazonaws.com`,
          RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
          DualStackDomainName: `${name}.s3.dualstack.${region}.amazonaws.com`,
        },
      };
    }
    case 'AWS::KMS::Key': {
      const keyId = randomUUID();
      return { physicalId: keyId, attributes: { Arn: arn('kms', `key/${keyId}`), KeyId: keyId } };
    }
    case 'AWS::IoT::Policy': {
      // Policy names: at most 128 characters.
      const name = explicitName ?? suffixedName(context.logicalId, 128);
      return { physicalId: name, attributes: { Arn: arn('iot', `policy/${name}`), Id: name } };
    }
    case 'AWS::IoT::TopicRule': {
      // Rule names allow letters, digits and underscores only, at most 128 of them.
      const name = explicitName ?? suffixedName(context.logicalId, 128, '_').replace(/[^A-Za-z0-9_]/g, '_');
      return { physicalId: name, attributes: { Arn: arn('iot', `rule/${name}`) } };
    }
    case 'AWS::IoT::ProvisioningTemplate': {
      // Template names: [0-9A-Za-z_-], at most 36 characters (CreateProvisioningTemplate refuses longer ones).
      const name = explicitName ?? suffixedName(context.logicalId, 36);
      return { physicalId: name, attributes: { TemplateArn: arn('iot', `provisioningtemplate/${name}`), TemplateName: name } };
    }
    case 'AWS::IoT::ThingType': {
      // Thing type names: [a-zA-Z0-9:_-], at most 128. The Id (AWS IoT's thingTypeId) is decided here and kept by the registry.
      const name = explicitName ?? suffixedName(context.logicalId, 128).replace(/[^a-zA-Z0-9:_-]/g, '-');
      return { physicalId: name, attributes: { Arn: arn('iot', `thingtype/${name}`), Id: randomUUID() } };
    }
    case 'AWS::IoT::RoleAlias': {
      // Not run (no credentials provider locally), but a device policy may name its ARN. Names: [\w=,@-], at most 128.
      const name = explicitName ?? suffixedName(context.logicalId, 128).replace(/[^\w=,@-]/g, '-');
      return { physicalId: name, attributes: { RoleAliasArn: arn('iot', `rolealias/${name}`) } };
    }
    case 'AWS::IoT::CACertificate': {
      // AWS IoT's certificate id is the SHA-256 of the certificate's DER, so it is known before registration.
      let id: string;
      try {
        id = explicitName ? certificateIdOf(explicitName) : randomBytes(32).toString('hex');
      } catch (error) {
        throw new Error(`${context.stackName}/${context.logicalId}: CACertificatePem is not a PEM certificate (${(error as Error).message})`);
      }
      return { physicalId: id, attributes: { Id: id, Arn: arn('iot', `cacert/${id}`) } };
    }
    case 'AWS::SecretsManager::Secret': {
      // Generated names are `<logical id>-<12 characters>`; the ARN adds Secrets Manager's `-<6 characters>`. Ref and Id are the ARN.
      const name = explicitName ?? suffixedName(context.logicalId, 512);
      const secretArn = arn('secretsmanager', `secret:${name}-${randomText(6, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`);
      return { physicalId: secretArn, attributes: { Id: secretArn, Name: name } };
    }
    case 'AWS::Logs::LogGroup': {
      const name = explicitName ?? generatedName(context, 512);
      return { physicalId: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      // Ref is the state machine's ARN (a CDK Provider's WAITER_STATE_MACHINE_ARN names it).
      const name = explicitName ?? suffixedName(context.logicalId, 80);
      const stateMachineArn = arn('states', `stateMachine:${name}`);
      return { physicalId: stateMachineArn, attributes: { Arn: stateMachineArn, Name: name } };
    }
    case 'AWS::ApiGateway::RestApi':
      return { physicalId: lowerCaseId(10), attributes: { RootResourceId: lowerCaseId(10) } };
    case 'AWS::ApiGateway::Resource': {
      const id = lowerCaseId(6);
      return { physicalId: id, attributes: { ResourceId: id } };
    }
    case 'AWS::ApiGateway::Model':
      return { physicalId: explicitName ?? `${context.logicalId.replace(/[^A-Za-z0-9]/g, '')}${randomText(6)}`, attributes: {} };
    case 'AWS::ApiGateway::Stage':
      return { physicalId: explicitName ?? 'prod', attributes: {} };
    case 'AWS::Lambda::EventSourceMapping':
      return { physicalId: randomUUID(), attributes: {} };
    case 'AWS::IAM::ManagedPolicy': {
      const name = explicitName ?? generatedName(context, 128);
      return { physicalId: `arn:${partition}:iam::${accountId}:policy/${name}`, attributes: { PolicyArn: `arn:${partition}:iam::${accountId}:policy/${name}` } };
    }
    case 'AWS::IAM::Policy':
      return { physicalId: `${context.stackName}-${context.logicalId}`.slice(0, 128), attributes: {} };
    default:
      return { physicalId: explicitName ?? `${context.logicalId}-${randomText(12)}`, attributes: {} };
  }
}

/**
 * Which resource types the runner runs, and what it says, once at start-up, about the others:
 * plainly, so nobody mistakes a stand-in for the real thing.
 */
import { supportedResourceReport, type AssemblyStack } from '../assembly';

export const RUN_TYPES = [
  'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy',
  'AWS::Lambda::Function', 'AWS::Lambda::Permission', 'AWS::Lambda::EventSourceMapping',
  'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy',
  'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::KMS::Key', 'AWS::KMS::Alias',
  'AWS::SecretsManager::Secret', 'AWS::SecretsManager::ResourcePolicy',
  'AWS::IoT::Policy', 'AWS::IoT::TopicRule', 'AWS::IoT::ProvisioningTemplate', 'AWS::IoT::CACertificate', 'AWS::IoT::ThingType',
  'AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Resource', 'AWS::ApiGateway::Method', 'AWS::ApiGateway::Model',
  'AWS::ApiGateway::RequestValidator', 'AWS::ApiGateway::GatewayResponse', 'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage', 'AWS::ApiGateway::Authorizer',
  // Custom resources of the CDK Provider framework run after the rest; others are listed then, with the reason.
  'AWS::CloudFormation::CustomResource', 'Custom::*',
  // CDK's version-reporting resource has no behaviour to run.
  'AWS::CDK::Metadata',
];

const WHAT_HAPPENS_INSTEAD: Readonly<Record<string, string>> = {
  'AWS::Logs::LogGroup': 'function logs are printed by the runner, not stored',
  'AWS::CloudWatch::Alarm': 'alarms are not evaluated',
  'AWS::IoT::RoleAlias': 'there is no AWS IoT credentials provider locally, so a device cannot exchange its certificate for the role\'s credentials',
};

/** One sentence per resource the runner does not run. */
export function notRunResources(stacks: readonly AssemblyStack[]): string[] {
  return supportedResourceReport([...stacks], RUN_TYPES).unsupported.map(({ stackName, logicalId, type }) =>
    `${stackName}/${logicalId}: ${type} is not run locally${WHAT_HAPPENS_INSTEAD[type] ? ` (${WHAT_HAPPENS_INSTEAD[type]})` : ''}`);
}

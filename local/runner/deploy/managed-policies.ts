/**
 * The AWS managed policies a stack may attach, as far as the local services need them. Only the
 * statements that concern services the local cloud runs are kept; a policy not listed here is
 * reported at start-up and grants nothing locally (never assumed to allow everything).
 */
import type { PolicyDocument } from '../iam/types';

const LOGS_WRITE = { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' } as const;

const KNOWN: Readonly<Record<string, PolicyDocument>> = {
  'service-role/AWSLambdaBasicExecutionRole': { Version: '2012-10-17', Statement: [LOGS_WRITE] },
  'service-role/AWSLambdaSQSQueueExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: '*' },
      LOGS_WRITE,
    ],
  },
  // What AWS IoT needs to provision things from a template (JITP, fleet provisioning, RegisterThing).
  'service-role/AWSIoTThingsRegistration': {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Action: [
        'iot:AddThingToThingGroup', 'iot:AttachPolicy', 'iot:AttachPrincipalPolicy', 'iot:AttachThingPrincipal',
        'iot:CreateCertificateFromCsr', 'iot:CreatePolicy', 'iot:CreateThing', 'iot:DescribeCertificate',
        'iot:DescribeThing', 'iot:DescribeThingGroup', 'iot:DescribeThingType', 'iot:DetachPolicy',
        'iot:DetachThingPrincipal', 'iot:GetPolicy', 'iot:ListAttachedPolicies', 'iot:ListPolicyPrincipals',
        'iot:ListPrincipalPolicies', 'iot:ListPrincipalThings', 'iot:ListTargetsForPolicy', 'iot:ListThingGroupsForThing',
        'iot:ListThingPrincipals', 'iot:RegisterCertificate', 'iot:RegisterThing', 'iot:RemoveThingFromThingGroup',
        'iot:UpdateCertificate', 'iot:UpdateThing', 'iot:UpdateThingGroupsForThing', 'iot:AddThingToBillingGroup',
        'iot:DescribeBillingGroup', 'iot:RemoveThingFromBillingGroup',
      ],
      Resource: ['*'],
    }],
  },
  'service-role/AWSIoTLogging': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutMetricFilter', 'logs:PutRetentionPolicy'], Resource: '*' }],
  },
};

/** The document of an AWS managed policy ARN (`arn:<partition>:iam::aws:policy/<path/name>`), if known locally. */
export function managedPolicyDocument(policyArn: string): PolicyDocument | undefined {
  const match = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(policyArn);
  return match ? KNOWN[match[1]] : undefined;
}

import { stackOf } from './support';
import { notRunResources, RUN_TYPES } from '../../../../local/runner/deploy/not-run';

describe('notRunResources', () => {
  test('one sentence per resource the runner does not run, saying what happens instead when it knows', () => {
    const first = stackOf({
      Fn: { Type: 'AWS::Lambda::Function' },
      Logs: { Type: 'AWS::Logs::LogGroup' },
      Alarm: { Type: 'AWS::CloudWatch::Alarm' },
    }, { stackName: 'First' });
    const second = stackOf({
      Table: { Type: 'AWS::DynamoDB::Table' },
      Metadata: { Type: 'AWS::CDK::Metadata' },
      Queue: { Type: 'AWS::SQS::Queue' },
    }, { stackName: 'Second' });
    expect(notRunResources([first, second])).toEqual([
      'First/Logs: AWS::Logs::LogGroup is not run locally (function logs are printed by the runner, not stored)',
      'First/Alarm: AWS::CloudWatch::Alarm is not run locally (alarms are not evaluated)',
      'Second/Table: AWS::DynamoDB::Table is not run locally',
    ]);
  });

  test('a stack of run types only has nothing to report', () => {
    const resources = Object.fromEntries(RUN_TYPES.map((type, index) => [`R${index}`, { Type: type }]));
    expect(notRunResources([stackOf(resources)])).toEqual([]);
    expect(notRunResources([])).toEqual([]);
  });

  test('the types the deploy modules create are all listed as run', () => {
    for (const type of [
      'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::Lambda::Function', 'AWS::Lambda::Permission',
      'AWS::Lambda::EventSourceMapping', 'AWS::SQS::Queue', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::KMS::Key',
      'AWS::IoT::Policy', 'AWS::IoT::TopicRule', 'AWS::IoT::ProvisioningTemplate', 'AWS::IoT::CACertificate',
    ]) {
      expect(RUN_TYPES).toContain(type);
    }
  });
});

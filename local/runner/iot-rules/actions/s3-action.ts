import { S3Error, putObjectAs } from '../../s3';
import type { SqlMessage } from '../sql';
import { renderSubstitutionTemplate } from '../substitution-template';
import type { RuleActionSpec } from '../topic-rule-definition';
import { ActionInput, ActionOutcome, ActionServices, errorText, inputBytes } from './action-outcome';

type S3ActionSpec = Extract<RuleActionSpec, { kind: 's3' }>;

const PREFIX = 'Failed to put S3 object. The error received was';

/**
 * The S3 action: the rule's role puts the output (JSON text, or the payload's own bytes) at the key its substitution
 * template gives for this message, through the local S3's authorization (identity policies, bucket policy) and
 * encryption; a CannedAcl needs s3:PutObjectAcl too, as S3 asks of a PutObject with `x-amz-acl`.
 */
export function runS3Action(spec: S3ActionSpec, input: ActionInput, message: SqlMessage, services: ActionServices): ActionOutcome {
  const fail = (errorMessage: string): ActionOutcome => ({ ok: false, action: 'S3Action', resource: spec.bucketName, errorMessage });
  if (!services.s3) return fail(`${PREFIX} NoSuchBucket: the local cloud runs no S3`);
  const key = renderSubstitutionTemplate(spec.keyParts, message);
  if (key === '') return fail(`${PREFIX} InvalidArgument: the key template ${spec.key} gave an empty key`);
  const principal = { arn: spec.roleArn, accountId: services.accountId };
  try {
    if (spec.cannedAcl !== undefined) {
      const bucket = services.s3.s3.bucket(spec.bucketName);
      const decision = bucket && services.accessControl.authorize({
        principal, action: 's3:PutObjectAcl', resource: bucket.objectArn(key), resourcePolicy: bucket.policy, context: { 's3:x-amz-acl': spec.cannedAcl },
      });
      if (decision && !decision.allowed) return fail(`${PREFIX} AccessDenied: ${decision.reason}`);
    }
    const headers: Record<string, string> = {
      'content-type': input.kind === 'json' ? 'application/json' : 'binary/octet-stream',
      ...(spec.cannedAcl !== undefined ? { 'x-amz-acl': spec.cannedAcl } : {}),
    };
    const response = putObjectAs(services.s3, principal, spec.bucketName, key, inputBytes(input), headers);
    const versionId = response.headers?.['x-amz-version-id'];
    return { ok: true, action: 'S3Action', resource: spec.bucketName, detail: { bucket: spec.bucketName, key, ...(versionId ? { versionId } : {}) } };
  } catch (error) {
    return fail(`${PREFIX} ${error instanceof S3Error ? `${error.code}: ${error.message}` : errorText(error)}`);
  }
}

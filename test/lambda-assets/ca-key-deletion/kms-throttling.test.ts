/**
 * The handler's KMS client (createKmsClient) retries a throttled ScheduleKeyDeletion itself: KMS
 * answers with real wire bytes here (no client mock), throttled once, then accepted.
 */
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { HttpResponse, type HttpRequest } from '@smithy/protocol-http';
import { mockClient } from 'aws-sdk-client-mock';
import { BUCKET, caId, keyArn, mockVault, record, REGION, resourceEvent } from './support';
import { onKeyDeletionEvent } from '../../../lambda-assets/ca-key-deletion/ca-key-deletion';
import { createKmsClient } from '../../../lambda-assets/shared/kms/kms-ca-key';
import { createLogger } from '../../../lambda-assets/shared/logging/logger';

const s3 = mockClient(S3Client);
afterAll(() => s3.restore());

function kmsAnswer(status: number, body: Record<string, unknown>, errorType?: string): { response: HttpResponse } {
  return {
    response: new HttpResponse({
      statusCode: status,
      headers: { 'content-type': 'application/x-amz-json-1.1', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) },
      body: Readable.from([Buffer.from(JSON.stringify(body))]),
    }),
  };
}

test('a throttled ScheduleKeyDeletion is sent again by the SDK and the key is scheduled; the Delete succeeds', async () => {
  mockVault(s3, [[caId('a')]], { [`${caId('a')}/ca.kms_key.json`]: record('a') });
  const requests: string[] = [];
  Object.assign(process.env, { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret' });
  const kms = createKmsClient();
  // Only the wire is replaced: the client's own retry strategy decides what to send again.
  Object.assign(kms.config, {
    requestHandler: {
      handle: async (request: HttpRequest) => {
        requests.push(`${request.headers['x-amz-target']} ${String(request.body)}`);
        return requests.length === 1
          ? kmsAnswer(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, 'ThrottlingException')
          : kmsAnswer(200, { KeyId: keyArn('a'), DeletionDate: 1900000000, KeyState: 'PendingDeletion', PendingWindowInDays: 30 });
      },
    },
  });
  const lines: string[] = [];
  const deps = { s3: new S3Client({}), kms, vault: { bucket: BUCKET, prefix: '' }, logger: createLogger({}, (line) => lines.push(line)) };

  await expect(onKeyDeletionEvent(deps, resourceEvent('Delete'))).resolves.toEqual({ PhysicalResourceId: 'kms-ca-key-deletion' });

  const expected = `TrentService.ScheduleKeyDeletion ${JSON.stringify({ KeyId: keyArn('a'), PendingWindowInDays: 30 })}`;
  expect(requests).toEqual([expected, expected]);
  expect(lines.map((line) => JSON.parse(line)).find((line) => line.message === 'CA key scheduled for deletion'))
    .toMatchObject({ caCertificateId: caId('a'), keyArn: keyArn('a') });
});

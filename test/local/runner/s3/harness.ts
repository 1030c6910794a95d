/** A running local S3 + KMS behind the fake AccessControl, and SDK clients for its users. */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { LocalKms } from '../../../../local/runner/kms';
import { LocalS3, startS3Api, type RunningS3Api } from '../../../../local/runner/s3';
import { FakeAccessControl, type FakeUser } from '../kms/fake-access-control';

export interface S3Harness {
  readonly accessControl: FakeAccessControl;
  readonly kms: LocalKms;
  readonly s3: LocalS3;
  readonly api: RunningS3Api;
  client(who: FakeUser, config?: Partial<S3ClientConfig> & { secretAccessKey?: string }): S3Client;
}

export async function startHarness(users: readonly FakeUser[]): Promise<S3Harness> {
  const accessControl = new FakeAccessControl(users);
  const kms = new LocalKms({ accessControl });
  const s3 = new LocalS3();
  const api = await startS3Api({ s3, kms, accessControl });
  return {
    accessControl,
    kms,
    s3,
    api,
    // Default SDK settings apart from where and who: no forcePathStyle, default checksums.
    client: (who, { secretAccessKey, ...config } = {}) => new S3Client({
      endpoint: api.url,
      region: 'us-east-1',
      credentials: { accessKeyId: who.accessKeyId, secretAccessKey: secretAccessKey ?? who.secretAccessKey },
      ...config,
    }),
  };
}

export * from './bucket-store';
export * from './errors';
export * from './local-s3';
export * from './s3-api';
export { AWS_S3_ALIAS } from './aws-managed-key';
export { decodeAwsChunked } from './aws-chunked';
export { checksumOf } from './checksums';
export { routeS3Request } from './routes';
export type { S3OperationName, S3Route } from './routes';

export * from './errors';
export * from './kms-api';
export * from './local-kms';
export type { EncryptionContext } from './symmetric-key';

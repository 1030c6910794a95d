export * from './errors';
export * from './kms-api';
export * from './local-kms';
export type { EncryptionContext } from './symmetric-key';
export { ASYMMETRIC_KEY_SPECS, SIGNING_ALGORITHMS_BY_SPEC, type AsymmetricKeySpec } from './asymmetric-key';

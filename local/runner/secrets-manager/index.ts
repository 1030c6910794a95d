export * from './errors';
export * from './local-secrets-manager';
export * from './managed-key';
export * from './password';
export * from './secrets-manager-api';

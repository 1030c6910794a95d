export * from './core/api-authorization';
export * from './core/ca-registrator';
export * from './core/ca-vault';
export * from './core/device-policy';
export * from './core/key-algorithm';
export * from './core/verifiers';
export * from './jitr/just-in-time-registration';

export * from './mqtt-gateway';
export * from './registry-view';
export * from './server-identity';

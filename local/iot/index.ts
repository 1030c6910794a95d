/**
 * AWS IoT of the local cloud: the service model (registry state and rules) and the control-plane
 * HTTP server that `@aws-sdk/client-iot` talks to.
 */
export * from './model';
export { startControlPlane } from './http';
export type { ControlPlane, ControlPlaneOptions } from './http';

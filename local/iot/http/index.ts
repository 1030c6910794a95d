/** The AWS IoT REST API (restJson1) in front of the service model. */
export { startControlPlane } from './server';
export type { ControlPlane, ControlPlaneOptions } from './server';
export { ROUTES } from './routes';
export type { Route } from './routes';
export { IAM_RESOURCES, resourcesToAuthorize } from '../model/iam-resources';
export type { ResourcesOf } from '../model/iam-resources';

/** What the runner plugs into the IoT model for provisioning: the provisioning role's IAM check and the pre-provisioning hooks. */
export { provisioningRoleAuthorizer } from './provisioning-role';
export { preProvisioningHookInvoker } from './pre-provisioning-hook';

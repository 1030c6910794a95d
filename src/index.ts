// The public API: constructs, their props and the verifier contract. Helpers the
// constructs share (props checks, handler wiring, role policies) stay internal.
export { ApiAuthorizationOptions } from './core/api-authorization';
export { CaProvisioningConfig, CaRegistrator, CaRegistratorProps } from './core/ca-registrator';
export { CaVault, CaVaultProps } from './core/ca-vault';
export { DevicePolicy, DevicePolicyProps } from './core/device-policy';
export { KeyAlgorithm } from './core/key-algorithm';
export { CaKeyStorage } from './core/kms-ca-key';
export { ProvisioningRequest, VerifierInput, VerifierOutput } from './core/verifiers';
export { JustInTimeRegistration, JustInTimeRegistrationProps } from './jitr/just-in-time-registration';
export { CertificateSubjectField } from './jitp/certificate-subject-field';
export { JitpTemplateDelivery, JustInTimeProvision, JustInTimeProvisionProps } from './jitp/just-in-time-provision';
export { FleetProvision, FleetProvisionProps } from './fleet/fleet-provision';
export { GreengrassOptions } from './fleet/greengrass';
export { CsrProvisioningApi, CsrProvisioningApiProps } from './api/csr-provisioning-api';
export { RegistrationGateway, RegistrationGatewayProps, RegistrationThingType } from './api/registration-gateway';

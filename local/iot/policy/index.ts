/**
 * The AWS IoT Core policy evaluator of the local cloud: validates policy
 * documents as CreatePolicy does and authorizes MQTT CONNECT, PUBLISH,
 * SUBSCRIBE and message delivery by the documents attached to a certificate.
 * Pure functions, no I/O.
 */
export { dataPlaneArn, partitionOf, resourceKindOf } from './arn';
export { authorize } from './authorize';
export { MAX_POLICY_DOCUMENT_CHARACTERS, validatePolicyDocument } from './document';
export { PolicyDocumentError } from './errors';
export type { AuthorizationDecision, DataPlaneResourceKind, IotDataAction, IotPolicyContext, NamedPolicyDocument } from './types';

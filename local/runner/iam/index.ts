export * from './types';
export { LocalIam, servicePrincipal, type LocalIamOptions } from './local-iam';
export { evaluateAccess, type EvaluationOptions } from './policy-evaluator';
export { denialReason, type DenyingPolicy } from './denial-reason';
export { SigV4Verifier, type KnownAccessKey, type SigV4VerifierOptions } from './sigv4-verifier';
export { UnsupportedConditionOperatorError } from './condition-operators';

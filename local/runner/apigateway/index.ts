export * from './rest-api-definition';
export * from './rest-api-server';
export { functionArnFromInvocationUri } from './integration-uri';
export { methodArn, authorizerArn } from './execute-api-arn';

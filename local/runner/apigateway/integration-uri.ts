/**
 * Lambda integrations and authorizers name their function through an API Gateway service URI:
 * `arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<functionArn>/invocations`.
 */
const LAMBDA_INVOCATION_URI = /^arn:[^:]+:apigateway:[^:]*:lambda:path\/\d{4}-\d{2}-\d{2}\/functions\/(.+)\/invocations$/;

/** The function ARN (possibly qualified with a version or alias) the URI invokes, or undefined for any other URI. */
export function functionArnFromInvocationUri(uri: string): string | undefined {
  return LAMBDA_INVOCATION_URI.exec(uri)?.[1];
}

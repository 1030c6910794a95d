import * as apigw from 'aws-cdk-lib/aws-apigateway';

/**
 * Who may call an API the library deploys.
 */
export interface ApiAuthorizationOptions {
  /**
   * How callers are authorized. `NONE` opens the API to anyone on the
   * internet: it is accepted only because you wrote it here.
   *
   * @default apigw.AuthorizationType.IAM (callers sign with SigV4 and need `execute-api:Invoke`)
   */
  readonly authorizationType?: apigw.AuthorizationType;

  /**
   * The authorizer for `CUSTOM` or `COGNITO` authorization.
   *
   * @default - none (required for CUSTOM and COGNITO)
   */
  readonly authorizer?: apigw.IAuthorizer;
}

/** Checks the combination and names the prop to fix. */
export function resolveAuthorization(propName: string, options: ApiAuthorizationOptions = {}): apigw.MethodOptions {
  const authorizationType = options.authorizationType ?? apigw.AuthorizationType.IAM;
  const needsAuthorizer = authorizationType === apigw.AuthorizationType.CUSTOM || authorizationType === apigw.AuthorizationType.COGNITO;
  if (needsAuthorizer && !options.authorizer) {
    throw new Error(`${propName}.authorizer is required when ${propName}.authorizationType is ${authorizationType}`);
  }
  if (!needsAuthorizer && options.authorizer) {
    throw new Error(`${propName}.authorizer only applies to CUSTOM or COGNITO authorization, not ${authorizationType}`);
  }
  return { authorizationType, authorizer: options.authorizer };
}

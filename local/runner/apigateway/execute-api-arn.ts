/** The ARNs API Gateway evaluates policies against (IAM, resource policy, authorizer policy, Lambda SourceArn). */
export interface ExecuteApiArnParts {
  readonly region: string;
  readonly accountId: string;
  readonly apiId: string;
}

/**
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`: the path is the request path
 * relative to the stage, without its leading slash, as AWS builds the methodArn.
 */
export function methodArn(parts: ExecuteApiArnParts, stage: string, httpMethod: string, path: string): string {
  return `arn:aws:execute-api:${parts.region}:${parts.accountId}:${parts.apiId}/${stage}/${httpMethod}/${path.replace(/^\//, '')}`;
}

/** What an authorizer's Lambda permission names as SourceArn (CDK's `authorizerArn`). */
export function authorizerArn(parts: ExecuteApiArnParts, authorizerId: string): string {
  return `arn:aws:execute-api:${parts.region}:${parts.accountId}:${parts.apiId}/authorizers/${authorizerId}`;
}

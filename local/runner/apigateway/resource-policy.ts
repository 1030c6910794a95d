/**
 * API Gateway resource policies may name their resources as `execute-api:/<stage>/<METHOD>/<path>`;
 * API Gateway stores them expanded to this API's full ARN, so IAM evaluation sees real ARNs.
 */
import type { ExecuteApiArnParts } from './execute-api-arn';
import type { PolicyDocument, PolicyStatement } from '../iam/types';

export function expandedResourcePolicy(policy: PolicyDocument | undefined, parts: ExecuteApiArnParts): PolicyDocument | undefined {
  if (!policy || typeof policy !== 'object' || policy.Statement === undefined) return policy;
  const expand = (resource: string) => (resource.startsWith('execute-api:/')
    ? `arn:aws:execute-api:${parts.region}:${parts.accountId}:${parts.apiId}/${resource.slice('execute-api:/'.length)}`
    : resource);
  const expandAll = (value: string | readonly string[] | undefined) =>
    (value === undefined ? undefined : typeof value === 'string' ? expand(value) : value.map(expand));
  const statements = ([] as PolicyStatement[]).concat(policy.Statement as PolicyStatement | PolicyStatement[]).map((statement) => {
    const resource = expandAll(statement.Resource);
    const notResource = expandAll(statement.NotResource);
    return { ...statement, ...(resource ? { Resource: resource } : {}), ...(notResource ? { NotResource: notResource } : {}) };
  });
  return { ...policy, Statement: statements };
}

/** Tag operations. */
import type * as Iot from '@aws-sdk/client-iot';
import { invalidRequest } from '../errors';
import { paginate, validateTags } from '../validation';
import type { ControlPlaneContext } from './context';

/** Tags CA certificates, things, thing types, thing groups, policies and provisioning templates. */
export async function tagResource(ctx: ControlPlaneContext, input: Iot.TagResourceRequest): Promise<Iot.TagResourceResponse> {
  ctx.throttle('TagResource');
  const arn = ctx.registry.requireTaggable(input.resourceArn);
  const tags = validateTags(input.tags);
  const current = ctx.registry.state.tags.get(arn) ?? new Map<string, string>();
  for (const tag of tags) current.set(tag.Key as string, tag.Value ?? '');
  if (current.size > 50) throw invalidRequest('a resource can have at most 50 tags');
  ctx.registry.state.tags.set(arn, current);
  return {};
}

export async function untagResource(ctx: ControlPlaneContext, input: Iot.UntagResourceRequest): Promise<Iot.UntagResourceResponse> {
  ctx.throttle('UntagResource');
  const arn = ctx.registry.requireTaggable(input.resourceArn);
  if (!Array.isArray(input.tagKeys)) throw invalidRequest('tagKeys is required');
  for (const key of input.tagKeys) ctx.registry.state.tags.get(arn)?.delete(key);
  return {};
}

export async function listTagsForResource(ctx: ControlPlaneContext, input: Iot.ListTagsForResourceRequest): Promise<Iot.ListTagsForResourceResponse> {
  ctx.throttle('ListTagsForResource');
  const arn = ctx.registry.requireTaggable(input.resourceArn);
  const tags = [...(ctx.registry.state.tags.get(arn)?.entries() ?? [])].map(([Key, Value]) => ({ Key, Value }));
  const { page, next } = paginate(tags, undefined, input.nextToken);
  return { tags: page, nextToken: next };
}

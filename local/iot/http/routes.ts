import type * as Iot from '@aws-sdk/client-iot';
import type { IotModel } from '../model';

/** How a query parameter's text becomes an input member. */
export type QueryType = 'string' | 'boolean' | 'integer';

/**
 * One AWS IoT operation as restJson1 puts it on the wire, transcribed from the `http`,
 * `httpLabel`, `httpQuery` and `httpHeader` traits of `@aws-sdk/client-iot`'s schema
 * (dist-es/schemas/schemas_0.js). Path labels (`{thingName}`) bind the input member of the same
 * name; members not bound to the path, the query or a header travel in the JSON body.
 */
export interface Route {
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  readonly path: string;
  /** Query parameter name -> [input member, type]. */
  readonly query?: Readonly<Record<string, readonly [string, QueryType]>>;
  /** Lower-case header name -> input member. */
  readonly headers?: Readonly<Record<string, string>>;
  /** True when the operation has members in the JSON body. */
  readonly body?: boolean;
  readonly invoke: (model: IotModel, input: Record<string, unknown>) => Promise<unknown>;
}

const PAGE_MARKER = { pageSize: ['pageSize', 'integer'], marker: ['marker', 'string'], isAscendingOrder: ['ascendingOrder', 'boolean'] } as const;
const NEXT_TOKEN = { nextToken: ['nextToken', 'string'], maxResults: ['maxResults', 'integer'] } as const;
const PRINCIPAL_HEADER = { 'x-amzn-principal': 'principal' } as const;

/** Casts the bound input to an operation's request shape; the model validates every member. */
function as<T>(input: Record<string, unknown>): T {
  return input as T;
}

export const ROUTES: readonly Route[] = [
  // CA certificates
  { operation: 'GetRegistrationCode', method: 'GET', path: '/registrationcode', invoke: (m, i) => m.getRegistrationCode(as<Iot.GetRegistrationCodeRequest>(i)) },
  {
    operation: 'RegisterCACertificate',
    method: 'POST',
    path: '/cacertificate',
    body: true,
    query: { setAsActive: ['setAsActive', 'boolean'], allowAutoRegistration: ['allowAutoRegistration', 'boolean'] },
    invoke: (m, i) => m.registerCACertificate(as<Iot.RegisterCACertificateRequest>(i)),
  },
  { operation: 'DescribeCACertificate', method: 'GET', path: '/cacertificate/{certificateId}', invoke: (m, i) => m.describeCACertificate(as<Iot.DescribeCACertificateRequest>(i)) },
  {
    operation: 'UpdateCACertificate',
    method: 'PUT',
    path: '/cacertificate/{certificateId}',
    body: true,
    query: { newStatus: ['newStatus', 'string'], newAutoRegistrationStatus: ['newAutoRegistrationStatus', 'string'] },
    invoke: (m, i) => m.updateCACertificate(as<Iot.UpdateCACertificateRequest>(i)),
  },
  {
    operation: 'ListCACertificates',
    method: 'GET',
    path: '/cacertificates',
    query: { ...PAGE_MARKER, templateName: ['templateName', 'string'] },
    invoke: (m, i) => m.listCACertificates(as<Iot.ListCACertificatesRequest>(i)),
  },
  { operation: 'DeleteCACertificate', method: 'DELETE', path: '/cacertificate/{certificateId}', invoke: (m, i) => m.deleteCACertificate(as<Iot.DeleteCACertificateRequest>(i)) },
  // device certificates
  {
    operation: 'RegisterCertificate',
    method: 'POST',
    path: '/certificate/register',
    body: true,
    query: { setAsActive: ['setAsActive', 'boolean'] },
    invoke: (m, i) => m.registerCertificate(as<Iot.RegisterCertificateRequest>(i)),
  },
  {
    operation: 'RegisterCertificateWithoutCA',
    method: 'POST',
    path: '/certificate/register-no-ca',
    body: true,
    invoke: (m, i) => m.registerCertificateWithoutCA(as<Iot.RegisterCertificateWithoutCARequest>(i)),
  },
  {
    operation: 'CreateKeysAndCertificate',
    method: 'POST',
    path: '/keys-and-certificate',
    query: { setAsActive: ['setAsActive', 'boolean'] },
    invoke: (m, i) => m.createKeysAndCertificate(as<Iot.CreateKeysAndCertificateRequest>(i)),
  },
  {
    operation: 'CreateCertificateFromCsr',
    method: 'POST',
    path: '/certificates',
    body: true,
    query: { setAsActive: ['setAsActive', 'boolean'] },
    invoke: (m, i) => m.createCertificateFromCsr(as<Iot.CreateCertificateFromCsrRequest>(i)),
  },
  { operation: 'ListCertificates', method: 'GET', path: '/certificates', query: PAGE_MARKER, invoke: (m, i) => m.listCertificates(as<Iot.ListCertificatesRequest>(i)) },
  { operation: 'DescribeCertificate', method: 'GET', path: '/certificates/{certificateId}', invoke: (m, i) => m.describeCertificate(as<Iot.DescribeCertificateRequest>(i)) },
  {
    operation: 'UpdateCertificate',
    method: 'PUT',
    path: '/certificates/{certificateId}',
    query: { newStatus: ['newStatus', 'string'] },
    invoke: (m, i) => m.updateCertificate(as<Iot.UpdateCertificateRequest>(i)),
  },
  {
    operation: 'DeleteCertificate',
    method: 'DELETE',
    path: '/certificates/{certificateId}',
    query: { forceDelete: ['forceDelete', 'boolean'] },
    invoke: (m, i) => m.deleteCertificate(as<Iot.DeleteCertificateRequest>(i)),
  },
  {
    operation: 'ListCertificatesByCA',
    method: 'GET',
    path: '/certificates-by-ca/{caCertificateId}',
    query: PAGE_MARKER,
    invoke: (m, i) => m.listCertificatesByCA(as<Iot.ListCertificatesByCARequest>(i)),
  },
  // things, thing types, thing groups
  { operation: 'CreateThing', method: 'POST', path: '/things/{thingName}', body: true, invoke: (m, i) => m.createThing(as<Iot.CreateThingRequest>(i)) },
  { operation: 'DescribeThing', method: 'GET', path: '/things/{thingName}', invoke: (m, i) => m.describeThing(as<Iot.DescribeThingRequest>(i)) },
  {
    operation: 'UpdateThing',
    method: 'PATCH',
    path: '/things/{thingName}',
    body: true,
    invoke: (m, i) => m.updateThing(as<Iot.UpdateThingRequest>(i)),
  },
  {
    operation: 'DeleteThing',
    method: 'DELETE',
    path: '/things/{thingName}',
    query: { expectedVersion: ['expectedVersion', 'integer'] },
    invoke: (m, i) => m.deleteThing(as<Iot.DeleteThingRequest>(i)),
  },
  {
    operation: 'ListThings',
    method: 'GET',
    path: '/things',
    query: {
      ...NEXT_TOKEN,
      attributeName: ['attributeName', 'string'],
      attributeValue: ['attributeValue', 'string'],
      thingTypeName: ['thingTypeName', 'string'],
      usePrefixAttributeValue: ['usePrefixAttributeValue', 'boolean'],
    },
    invoke: (m, i) => m.listThings(as<Iot.ListThingsRequest>(i)),
  },
  { operation: 'RegisterThing', method: 'POST', path: '/things', body: true, invoke: (m, i) => m.registerThing(as<Iot.RegisterThingRequest>(i)) },
  {
    operation: 'CreateThingType',
    method: 'POST',
    path: '/thing-types/{thingTypeName}',
    body: true,
    invoke: (m, i) => m.createThingType(as<Iot.CreateThingTypeRequest>(i)),
  },
  { operation: 'DescribeThingType', method: 'GET', path: '/thing-types/{thingTypeName}', invoke: (m, i) => m.describeThingType(as<Iot.DescribeThingTypeRequest>(i)) },
  {
    operation: 'CreateThingGroup',
    method: 'POST',
    path: '/thing-groups/{thingGroupName}',
    body: true,
    invoke: (m, i) => m.createThingGroup(as<Iot.CreateThingGroupRequest>(i)),
  },
  { operation: 'DescribeThingGroup', method: 'GET', path: '/thing-groups/{thingGroupName}', invoke: (m, i) => m.describeThingGroup(as<Iot.DescribeThingGroupRequest>(i)) },
  {
    operation: 'AddThingToThingGroup',
    method: 'PUT',
    path: '/thing-groups/addThingToThingGroup',
    body: true,
    invoke: (m, i) => m.addThingToThingGroup(as<Iot.AddThingToThingGroupRequest>(i)),
  },
  // policies
  { operation: 'CreatePolicy', method: 'POST', path: '/policies/{policyName}', body: true, invoke: (m, i) => m.createPolicy(as<Iot.CreatePolicyRequest>(i)) },
  { operation: 'GetPolicy', method: 'GET', path: '/policies/{policyName}', invoke: (m, i) => m.getPolicy(as<Iot.GetPolicyRequest>(i)) },
  { operation: 'DeletePolicy', method: 'DELETE', path: '/policies/{policyName}', invoke: (m, i) => m.deletePolicy(as<Iot.DeletePolicyRequest>(i)) },
  { operation: 'AttachPolicy', method: 'PUT', path: '/target-policies/{policyName}', body: true, invoke: (m, i) => m.attachPolicy(as<Iot.AttachPolicyRequest>(i)) },
  { operation: 'DetachPolicy', method: 'POST', path: '/target-policies/{policyName}', body: true, invoke: (m, i) => m.detachPolicy(as<Iot.DetachPolicyRequest>(i)) },
  {
    operation: 'ListAttachedPolicies',
    method: 'POST',
    path: '/attached-policies/{target}',
    query: { recursive: ['recursive', 'boolean'], marker: ['marker', 'string'], pageSize: ['pageSize', 'integer'] },
    invoke: (m, i) => m.listAttachedPolicies(as<Iot.ListAttachedPoliciesRequest>(i)),
  },
  // thing principals
  {
    operation: 'AttachThingPrincipal',
    method: 'PUT',
    path: '/things/{thingName}/principals',
    headers: PRINCIPAL_HEADER,
    query: { thingPrincipalType: ['thingPrincipalType', 'string'] },
    invoke: (m, i) => m.attachThingPrincipal(as<Iot.AttachThingPrincipalRequest>(i)),
  },
  {
    operation: 'DetachThingPrincipal',
    method: 'DELETE',
    path: '/things/{thingName}/principals',
    headers: PRINCIPAL_HEADER,
    invoke: (m, i) => m.detachThingPrincipal(as<Iot.DetachThingPrincipalRequest>(i)),
  },
  {
    operation: 'ListThingPrincipals',
    method: 'GET',
    path: '/things/{thingName}/principals',
    query: NEXT_TOKEN,
    invoke: (m, i) => m.listThingPrincipals(as<Iot.ListThingPrincipalsRequest>(i)),
  },
  {
    operation: 'ListPrincipalThings',
    method: 'GET',
    path: '/principals/things',
    headers: PRINCIPAL_HEADER,
    query: NEXT_TOKEN,
    invoke: (m, i) => m.listPrincipalThings(as<Iot.ListPrincipalThingsRequest>(i)),
  },
  // endpoint
  {
    operation: 'DescribeEndpoint',
    method: 'GET',
    path: '/endpoint',
    query: { endpointType: ['endpointType', 'string'] },
    invoke: (m, i) => m.describeEndpoint(as<Iot.DescribeEndpointRequest>(i)),
  },
  // provisioning templates
  {
    operation: 'CreateProvisioningTemplate',
    method: 'POST',
    path: '/provisioning-templates',
    body: true,
    invoke: (m, i) => m.createProvisioningTemplate(as<Iot.CreateProvisioningTemplateRequest>(i)),
  },
  {
    operation: 'ListProvisioningTemplates',
    method: 'GET',
    path: '/provisioning-templates',
    query: NEXT_TOKEN,
    invoke: (m, i) => m.listProvisioningTemplates(as<Iot.ListProvisioningTemplatesRequest>(i)),
  },
  {
    operation: 'DescribeProvisioningTemplate',
    method: 'GET',
    path: '/provisioning-templates/{templateName}',
    invoke: (m, i) => m.describeProvisioningTemplate(as<Iot.DescribeProvisioningTemplateRequest>(i)),
  },
  {
    operation: 'DeleteProvisioningTemplate',
    method: 'DELETE',
    path: '/provisioning-templates/{templateName}',
    invoke: (m, i) => m.deleteProvisioningTemplate(as<Iot.DeleteProvisioningTemplateRequest>(i)),
  },
  {
    operation: 'CreateProvisioningClaim',
    method: 'POST',
    path: '/provisioning-templates/{templateName}/provisioning-claim',
    invoke: (m, i) => m.createProvisioningClaim(as<Iot.CreateProvisioningClaimRequest>(i)),
  },
  // event configurations
  {
    operation: 'UpdateEventConfigurations',
    method: 'PATCH',
    path: '/event-configurations',
    body: true,
    invoke: (m, i) => m.updateEventConfigurations(as<Iot.UpdateEventConfigurationsRequest>(i)),
  },
  {
    operation: 'DescribeEventConfigurations',
    method: 'GET',
    path: '/event-configurations',
    invoke: (m, i) => m.describeEventConfigurations(as<Iot.DescribeEventConfigurationsRequest>(i)),
  },
  // tags
  { operation: 'TagResource', method: 'POST', path: '/tags', body: true, invoke: (m, i) => m.tagResource(as<Iot.TagResourceRequest>(i)) },
  { operation: 'UntagResource', method: 'POST', path: '/untag', body: true, invoke: (m, i) => m.untagResource(as<Iot.UntagResourceRequest>(i)) },
  {
    operation: 'ListTagsForResource',
    method: 'GET',
    path: '/tags',
    query: { resourceArn: ['resourceArn', 'string'], nextToken: ['nextToken', 'string'] },
    invoke: (m, i) => m.listTagsForResource(as<Iot.ListTagsForResourceRequest>(i)),
  },
];

/** A route and the path labels it bound. */
export interface RouteMatch {
  readonly route: Route;
  readonly labels: Record<string, string>;
}

interface CompiledRoute {
  readonly route: Route;
  /** Literal segment text, or the label's member name in `label`. */
  readonly segments: readonly { literal?: string; label?: string }[];
  /** Literal segments count more, so `/thing-groups/addThingToThingGroup` beats `/thing-groups/{thingGroupName}`. */
  readonly specificity: number;
}

const COMPILED: readonly CompiledRoute[] = ROUTES.map(route => {
  const segments = route.path.split('/').slice(1).map(segment => {
    const label = /^\{(\w+)\}$/.exec(segment);
    return label ? { label: label[1] } : { literal: segment };
  });
  return { route, segments, specificity: segments.filter(s => s.literal !== undefined).length };
}).sort((a, b) => b.specificity - a.specificity);

/**
 * Finds the route of a request. `segments` are the raw (still percent-encoded) path segments;
 * labels are decoded here, after splitting, so an encoded `/` in an ARN label stays in the label.
 * Returns `{ methodMismatch: true }` when the path exists but not for this method.
 */
export function matchRoute(method: string, segments: readonly string[]): RouteMatch | { methodMismatch: true } | undefined {
  let pathKnown = false;
  for (const compiled of COMPILED) {
    if (compiled.segments.length !== segments.length) continue;
    const labels: Record<string, string> = {};
    let matches = true;
    for (let i = 0; i < segments.length && matches; i++) {
      const expected = compiled.segments[i];
      if (expected.literal !== undefined) {
        matches = expected.literal === segments[i];
      } else if (segments[i].length === 0) {
        matches = false;
      } else {
        const decoded = safeDecode(segments[i]);
        if (decoded === undefined) matches = false;
        else labels[expected.label as string] = decoded;
      }
    }
    if (!matches) continue;
    if (compiled.route.method === method) return { route: compiled.route, labels };
    pathKnown = true;
  }
  return pathKnown ? { methodMismatch: true } : undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

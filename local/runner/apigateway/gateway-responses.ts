/**
 * Turns a GatewayError into the HTTP answer, applying the API's AWS::ApiGateway::GatewayResponse for its
 * type (or DEFAULT_4XX / DEFAULT_5XX) as API Gateway does: status code, header mappings and body template.
 */
import type { GatewayError } from './gateway-error';
import { headerValue, multiValueQuery, ReceivedRequest } from './http-request';
import type { GatewayResponseDefinition, RestApiDefinition } from './rest-api-definition';
import { renderTemplate, TemplateContext } from './template-context';

export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
}

export interface GatewayResponseContext {
  readonly api: RestApiDefinition;
  readonly request: ReceivedRequest;
  /** `$context` variables known at this point of the request (requestId, stage, resourcePath, ...). */
  readonly variables: TemplateContext;
  readonly stageVariables: Readonly<Record<string, string>>;
}

export function renderGatewayError(error: GatewayError, context: GatewayResponseContext): HttpAnswer {
  const custom = customResponseFor(context.api.gatewayResponses, error);
  const variables: TemplateContext = {
    ...context.variables,
    'error.message': error.errorMessage ?? undefined,
    'error.messageString': JSON.stringify(error.errorMessage),
    'error.responseType': error.responseType,
    'error.validationErrorString': error.options.validationErrorString,
  };
  const template = custom ? templateFor(custom) : undefined;
  const body = template !== undefined
    ? renderTemplate(template, variables)
    : error.options.defaultBody ?? JSON.stringify({ message: error.errorMessage });
  const typeSpecific = custom?.responseType === error.responseType;
  return {
    statusCode: (typeSpecific ? custom?.statusCode : undefined) ?? error.statusCode,
    headers: {
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': error.errorType,
      ...(custom ? mappedHeaders(custom, context, variables) : {}),
    },
    body: Buffer.from(body),
  };
}

function customResponseFor(responses: readonly GatewayResponseDefinition[], error: GatewayError): GatewayResponseDefinition | undefined {
  const fallbackType = error.statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  return responses.find((response) => response.responseType === error.responseType)
    ?? responses.find((response) => response.responseType === fallbackType);
}

/** API Gateway picks the template for the requested content type; JSON is what the local clients ask for. */
function templateFor(response: GatewayResponseDefinition): string | undefined {
  const templates = response.responseTemplates;
  return templates['application/json'] ?? Object.values(templates)[0];
}

/** `gatewayresponse.header.X` mapped from `'literal'`, a request header or query parameter, a stage variable or `context.*`. */
function mappedHeaders(response: GatewayResponseDefinition, context: GatewayResponseContext, variables: TemplateContext): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [target, source] of Object.entries(response.responseParameters)) {
    const match = /^gatewayresponse\.header\.(.+)$/.exec(target);
    if (!match) continue;
    const value = mappedValue(source, context, variables);
    if (value !== undefined) headers[match[1]] = value;
  }
  return headers;
}

function mappedValue(source: string, context: GatewayResponseContext, variables: TemplateContext): string | undefined {
  const literal = /^'(.*)'$/s.exec(source);
  if (literal) return literal[1];
  const [, kind, name] = /^(method\.request\.header|method\.request\.querystring|stageVariables|context)\.(.+)$/.exec(source) ?? [];
  switch (kind) {
    case 'method.request.header': return headerValue(context.request, name);
    case 'method.request.querystring': return multiValueQuery(context.request)[name]?.slice(-1)[0];
    case 'stageVariables': return context.stageVariables[name];
    case 'context': return variables[name];
    default: return undefined;
  }
}

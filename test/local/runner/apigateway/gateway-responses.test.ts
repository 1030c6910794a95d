import { API_ID, fixtureResources } from './support';
import { restApisFromResources } from '../../../../local/runner/apigateway';
import { GatewayError, missingAuthenticationToken, unauthorized } from '../../../../local/runner/apigateway/gateway-error';
import { renderGatewayError } from '../../../../local/runner/apigateway/gateway-responses';
import type { ReceivedRequest } from '../../../../local/runner/apigateway/http-request';
import { renderTemplate } from '../../../../local/runner/apigateway/template-context';

const request: ReceivedRequest = {
  method: 'GET',
  rawUrl: '/prod/x?lang=fr',
  headers: { origin: 'https://app.example' },
  rawHeaders: ['Origin', 'https://app.example'],
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
};

function apiWith(...responses: Record<string, unknown>[]) {
  const extra = responses.map((properties, index) => ({
    stackName: 'TestStack',
    logicalId: `Response${index}`,
    type: 'AWS::ApiGateway::GatewayResponse',
    physicalId: `gr-x${index}`,
    attributes: {},
    properties: { RestApiId: API_ID, ...properties },
  }));
  return restApisFromResources(fixtureResources({ withoutBadRequestBodyResponse: true, extra }))[0];
}

const render = (error: GatewayError, ...responses: Record<string, unknown>[]) =>
  renderGatewayError(error, { api: apiWith(...responses), request, variables: { requestId: 'req-1', stage: 'prod' }, stageVariables: { color: 'blue' } });

describe('gateway responses', () => {
  test('without one defined, API Gateway\'s default answer', () => {
    const answer = render(missingAuthenticationToken());
    expect(answer.statusCode).toBe(403);
    expect(answer.headers).toMatchObject({ 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'MissingAuthenticationTokenException' });
    expect(answer.body.toString()).toBe('{"message":"Missing Authentication Token"}');
  });

  test('the type\'s own response: status code, template and header mappings', () => {
    const answer = render(unauthorized(), {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '418',
      ResponseTemplates: { 'application/json': '{"error":$context.error.messageString,"id":"$context.requestId","type":"${context.error.responseType}"}' },
      ResponseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
        'gatewayresponse.header.X-Lang': 'method.request.querystring.lang',
        'gatewayresponse.header.X-Color': 'stageVariables.color',
        'gatewayresponse.header.X-Stage': 'context.stage',
      },
    });
    expect(answer.statusCode).toBe(418);
    expect(JSON.parse(answer.body.toString())).toEqual({ error: 'Unauthorized', id: 'req-1', type: 'UNAUTHORIZED' });
    expect(answer.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example', 'X-Lang': 'fr', 'X-Color': 'blue', 'X-Stage': 'prod' });
  });

  test('DEFAULT_4XX shapes 4xx answers without their own response, keeping their status code', () => {
    const answer = render(unauthorized(), { ResponseType: 'DEFAULT_4XX', StatusCode: '400', ResponseParameters: { 'gatewayresponse.header.X-Cors': "'*'" } });
    expect(answer.statusCode).toBe(401);
    expect(answer.headers).toMatchObject({ 'X-Cors': '*' });
    expect(answer.body.toString()).toBe('{"message":"Unauthorized"}');
  });

  test('DEFAULT_5XX does not apply to 4xx answers', () => {
    const answer = render(unauthorized(), { ResponseType: 'DEFAULT_5XX', ResponseTemplates: { 'application/json': 'five' } });
    expect(answer.body.toString()).toBe('{"message":"Unauthorized"}');
  });
});

describe('renderTemplate', () => {
  test.each([
    ['$context.requestId.', 'req-1.'],
    ['${context.requestId}x', 'req-1x'],
    ['$context.unknown stays', '$context.unknown stays'],
    ['quiet: [$!context.unknown]', 'quiet: []'],
    ['$!{context.unknown}', ''],
  ])('%s', (template, expected) => {
    expect(renderTemplate(template, { requestId: 'req-1' })).toBe(expected);
  });
});

import { fixtureResources, startFixture, StartedFixture } from './support';
import { restApisFromResources } from '../../../../local/runner/apigateway';
import { matchRoute } from '../../../../local/runner/apigateway/router';

describe('matchRoute', () => {
  const [api] = restApisFromResources(fixtureResources());
  const route = (method: string, path: string) => {
    const match = matchRoute(api, method, path);
    return match && { resource: match.resource.path, method: match.method.httpMethod, pathParameters: match.pathParameters };
  };

  test.each([
    ['GET', '/', { resource: '/', method: 'GET', pathParameters: {} }],
    ['GET', '/items', { resource: '/items', method: 'GET', pathParameters: {} }],
    ['GET', '/items/', { resource: '/items', method: 'GET', pathParameters: {} }],
    ['GET', '/items/42', { resource: '/items/{id}', method: 'GET', pathParameters: { id: '42' } }],
    ['GET', '/items/a%20b', { resource: '/items/{id}', method: 'GET', pathParameters: { id: 'a b' } }],
    ['GET', '/items/special', { resource: '/items/special', method: 'GET', pathParameters: {} }],
    ['PUT', '/files/a/b/c.txt', { resource: '/files/{proxy+}', method: 'ANY', pathParameters: { proxy: 'a/b/c.txt' } }],
    ['DELETE', '/anything', { resource: '/anything', method: 'ANY', pathParameters: {} }],
  ])('%s %s', (method, path, expected) => {
    expect(route(method, path)).toEqual(expected);
  });

  test.each([
    ['GET', '/nowhere'],
    ['POST', '/items'],
    ['GET', '/items/42/more'],
    ['GET', '/files'],
  ])('%s %s reaches no method', (method, path) => {
    expect(route(method, path)).toBeUndefined();
  });
});

describe('routing over HTTP', () => {
  let fixture: StartedFixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.close());

  test('the invoke URL names the stage', () => {
    expect(fixture.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod\/$/);
  });

  test('a matched route reaches the function with the path, and answers its response with request ids', async () => {
    const response = await fetch(`${fixture.url}items/42`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: '/items/42' });
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-amz-apigw-id')).toMatch(/=$/);
  });

  test('no resource or no method: 403 Missing Authentication Token', async () => {
    for (const [method, path] of [['GET', 'nowhere'], ['POST', 'items']]) {
      const response = await fetch(`${fixture.url}${path}`, { method });
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    }
  });

  test('an unknown stage: 403 Forbidden', async () => {
    const response = await fetch(fixture.url.replace('/prod/', '/dev/items'));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  test('an unsupported method answers 501 with the sentence listed at start-up', async () => {
    const before = fixture.functions.events.length;
    for (const path of ['cognito', 'mock']) {
      const response = await fetch(`${fixture.url}${path}`);
      expect(response.status).toBe(501);
      expect((await response.json()).message).toMatch(path === 'mock' ? /integration of type MOCK/ : /Cognito user pool/);
    }
    expect(fixture.functions.events).toHaveLength(before);
  });
});

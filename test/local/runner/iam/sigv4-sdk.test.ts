import { Readable } from 'node:stream';
import { CreateThingCommand, IoTClient, ListThingsCommand } from '@aws-sdk/client-iot';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SigningServer } from './signing-server';
import { LocalIam, type LocalCredentials } from '../../../../local/runner/iam';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/JitrDemo-ActivatorRole-1A2B3C`;

/** SDK errors carry the service's error code as their name. */
async function errorOf(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error('the call succeeded');
}

describe.each([
  ['role credentials (with session token)', (iam: LocalIam) => iam.credentialsFor(ROLE), ROLE],
  ['admin credentials (no session token)', (iam: LocalIam) => iam.adminCredentials(), `arn:aws:iam::${ACCOUNT}:user/local-admin`],
])('SigV4 requests signed by the AWS SDK, %s', (_title, credentialsOf, expectedArn) => {
  let iam: LocalIam;
  let credentials: LocalCredentials;

  beforeEach(() => {
    iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    iam.addRole(ROLE);
    credentials = credentialsOf(iam);
  });

  describe('iot', () => {
    let server: SigningServer;
    beforeEach(async () => {
      server = new SigningServer(iam, 'iot');
      await server.start();
    });
    afterEach(() => server.stop());

    const client = (overrides: Partial<{ credentials: LocalCredentials; region: string }> = {}) => new IoTClient({
      endpoint: server.endpoint, region: overrides.region ?? REGION, credentials: overrides.credentials ?? credentials, maxAttempts: 1,
    });

    test('a GET with a query string authenticates as the key owner', async () => {
      await client().send(new ListThingsCommand({ maxResults: 5, attributeName: 'serial number', attributeValue: 'a/b+c=d' }));
      expect(server.last.error).toBeUndefined();
      expect(server.last.request.url).toContain('?');
      expect(server.last.principal).toEqual({ arn: expectedArn, accountId: ACCOUNT });
    });

    test('a POST with a JSON body and a path needing double encoding authenticates', async () => {
      await client().send(new CreateThingCommand({ thingName: 'thing:with spaces', attributePayload: { attributes: { serial: 'é 1' } } }));
      expect(server.last.error).toBeUndefined();
      expect(server.last.request.method).toBe('POST');
      expect(server.last.request.body.length).toBeGreaterThan(0);
      expect(server.last.principal?.arn).toBe(expectedArn);
    });

    test('a wrong secret fails with InvalidSignatureException', async () => {
      const error = await errorOf(client({ credentials: { ...credentials, secretAccessKey: 'wrong' } }).send(new ListThingsCommand({})));
      expect(error.name).toBe('InvalidSignatureException');
      expect(error.message).toBe(
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
    });

    test('an unknown access key fails with UnrecognizedClientException', async () => {
      const error = await errorOf(client({ credentials: { ...credentials, accessKeyId: 'ASIAUNKNOWNUNKNOWN12' } }).send(new ListThingsCommand({})));
      expect(error.name).toBe('UnrecognizedClientException');
      expect(error.message).toBe('The security token included in the request is invalid.');
    });

    test('a credential scoped to another region fails, naming the expected one', async () => {
      const error = await errorOf(client({ region: 'eu-west-1' }).send(new ListThingsCommand({})));
      expect(error.name).toBe('InvalidSignatureException');
      expect(error.message).toContain("not 'eu-west-1'");
      expect(error.message).toContain(`'${REGION}'`);
    });

    test('a request signed for another service fails, naming the expected one', async () => {
      const lambda = new LambdaClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
      const error = await errorOf(lambda.send(new InvokeCommand({ FunctionName: 'f' })));
      expect(error.name).toBe('InvalidSignatureException');
      expect(error.message).toContain("'iot'");
    });
  });

  describe('lambda', () => {
    let server: SigningServer;
    beforeEach(async () => {
      server = new SigningServer(iam, 'lambda');
      await server.start();
    });
    afterEach(() => server.stop());

    test('Invoke with a payload, on a function named by ARN, authenticates', async () => {
      const lambda = new LambdaClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
      await lambda.send(new InvokeCommand({
        FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:JitrDemo-Activator`,
        Payload: Buffer.from(JSON.stringify({ certificateId: 'abc', note: 'ünïcode' })),
      }));
      expect(server.last.error).toBeUndefined();
      expect(server.last.request.url).toContain('%3A');
      expect(server.last.principal?.arn).toBe(expectedArn);
    });

    test('a tampered body fails: the signed payload hash no longer matches', async () => {
      const tampering = new SigningServer({
        authenticate: (request, service) => iam.authenticate({ ...request, body: Buffer.from('{"evil":true}') }, service),
        authorize: () => ({ allowed: true, reason: '' }),
      }, 'lambda');
      await tampering.start();
      try {
        const lambda = new LambdaClient({ endpoint: tampering.endpoint, region: REGION, credentials, maxAttempts: 1 });
        const error = await errorOf(lambda.send(new InvokeCommand({ FunctionName: 'f', Payload: Buffer.from('{"good":true}') })));
        expect(error.name).toBe('InvalidSignatureException');
      } finally {
        await tampering.stop();
      }
    });
  });

  describe('s3', () => {
    let server: SigningServer;
    beforeEach(async () => {
      server = new SigningServer(iam, 's3');
      await server.start();
    });
    afterEach(() => server.stop());

    const client = (overrides: Partial<{ credentials: LocalCredentials; region: string }> = {}) => new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: overrides.region ?? REGION,
      credentials: overrides.credentials ?? credentials,
      maxAttempts: 1,
    });

    test('PutObject with a key holding spaces and unicode authenticates (path signed without double encoding)', async () => {
      await client().send(new PutObjectCommand({ Bucket: 'ca-bucket', Key: 'certs/my device é ✓/ca.pem', Body: 'hello' }));
      expect(server.last.error).toBeUndefined();
      expect(server.last.request.url).toContain('%20');
      expect(server.last.request.headers['x-amz-content-sha256']).toBeDefined();
      expect(server.last.principal?.arn).toBe(expectedArn);
    });

    test('a streamed PutObject (aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER) authenticates with the header hash as signed', async () => {
      await client().send(new PutObjectCommand({ Bucket: 'ca-bucket', Key: 'streamed', Body: Readable.from([Buffer.from('hello')]), ContentLength: 5 }));
      expect(server.last.error).toBeUndefined();
      expect(server.last.request.headers['x-amz-content-sha256']).toMatch(/^STREAMING-/);
      expect(server.last.principal?.arn).toBe(expectedArn);
    });

    test('a wrong secret fails with SignatureDoesNotMatch', async () => {
      const error = await errorOf(client({ credentials: { ...credentials, secretAccessKey: 'wrong' } })
        .send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' })));
      expect(error.name).toBe('SignatureDoesNotMatch');
    });

    test('an unknown access key fails with InvalidAccessKeyId', async () => {
      const error = await errorOf(client({ credentials: { ...credentials, accessKeyId: 'AKIAUNKNOWNUNKNOWN12' } })
        .send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' })));
      expect(error.name).toBe('InvalidAccessKeyId');
    });

    test('a credential scoped to another region fails with AuthorizationHeaderMalformed, naming the expected one', async () => {
      const error = await errorOf(client({ region: 'eu-west-1' }).send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' })));
      expect(error.name).toBe('AuthorizationHeaderMalformed');
      expect(error.message).toContain(`expecting '${REGION}'`);
    });
  });
});

describe('SigV4 requests without credentials', () => {
  test('an unsigned request fails with MissingAuthenticationTokenException', async () => {
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    const server = new SigningServer(iam, 'iot');
    await server.start();
    try {
      const response = await fetch(`${server.endpoint}/things`);
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    } finally {
      await server.stop();
    }
  });
});

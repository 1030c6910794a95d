import { createHash } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:RegistrationTokens-AbCdEf`;
export const METHOD_ARN = `arn:aws:execute-api:${REGION}:${ACCOUNT}:a1b2c3d4e5/prod/POST/register`;
export const AUTHORIZER_ENV = { AWS_REGION: REGION, TOKEN_IDENTIFIER: 'Token', TOKENS_SECRET_ARN: SECRET_ARN, SECRET_CACHE_SECONDS: '60' } as const;

/** Tokens as a factory would hold them; the secret gets only their hashes. */
export const TOKENS = {
  line7: 'tok-line7-9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  oneTime: 'tok-once-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
} as const;

export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

export const TABLE = {
  tokens: [
    { id: 'line-7', sha256: sha256(TOKENS.line7), oneTime: false, allowReissue: true, thingTypes: ['sensor'] },
    { id: 'rma-42', sha256: sha256(TOKENS.oneTime).toUpperCase(), oneTime: true },
  ],
};

export type Handler = (event: APIGatewayTokenAuthorizerEvent, context?: Context) => Promise<APIGatewayAuthorizerResult>;

export function tokenEvent(authorizationToken: string | undefined): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', methodArn: METHOD_ARN, authorizationToken: authorizationToken as string };
}

/** The handler loaded once (its cache lives across calls, as in a warm container); a fresh secret and clock per test. */
export function useAuthorizerHarness() {
  const harness = {
    secrets: mockClient(SecretsManagerClient),
    handler: undefined as unknown as Handler,
    logs: undefined as unknown as ReturnType<typeof captureLogs>,
    /** Moves the clock the cache reads. */
    clock: 0,
    setSecret(secretString: string | undefined) {
      harness.secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ ARN: SECRET_ARN, SecretString: secretString });
    },
  };
  beforeAll(() => {
    Object.assign(process.env, AUTHORIZER_ENV);
    const module = jest.requireActual<typeof import('../../../lambda-assets/token-authorizer')>('../../../lambda-assets/token-authorizer');
    harness.handler = (event, context) => module.handler(event, context);
  });
  afterAll(() => harness.secrets.restore());
  beforeEach(() => {
    // Each test starts an hour after the last: whatever an earlier test cached has expired.
    harness.clock += 3_600_000;
    jest.spyOn(Date, 'now').mockImplementation(() => harness.clock);
    harness.secrets.reset();
    harness.setSecret(JSON.stringify(TABLE));
    harness.logs = captureLogs();
  });
  afterEach(() => {
    harness.logs.restore();
    jest.restoreAllMocks();
  });
  return harness;
}

/** Lines written to stdout (the logger's), kept raw too so a test can look for a secret anywhere in them. */
export function captureLogs(): { lines: () => Record<string, unknown>[]; raw: () => string; restore: () => void } {
  const raw: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    raw.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  return {
    lines: () => raw.join('').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
    raw: () => raw.join(''),
    restore: () => spy.mockRestore(),
  };
}

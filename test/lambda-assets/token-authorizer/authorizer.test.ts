import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { METHOD_ARN, sha256, TABLE, tokenEvent, TOKENS, useAuthorizerHarness } from './support';

const harness = useAuthorizerHarness();

const allowOf = (principalId: string) => ({
  principalId,
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }] },
});

async function expectUnauthorized(header: string | undefined) {
  await expect(harness.handler(tokenEvent(header))).rejects.toThrow(/^Unauthorized$/);
}

describe('token authorizer', () => {
  test('a known token gets Allow on the method, its id as principal and its rights in the context', async () => {
    const result = await harness.handler(tokenEvent(`Token ${TOKENS.line7}`));

    expect(result).toEqual({
      ...allowOf('line-7'),
      context: { tokenId: 'line-7', tokenHash: sha256(TOKENS.line7), oneTime: 'false', allowReissue: 'true', thingTypes: '["sensor"]' },
    });
    expect(harness.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test('a one-time token says so in the context (hash lowercase, defaults filled in)', async () => {
    const result = await harness.handler(tokenEvent(`Token ${TOKENS.oneTime}`));

    expect(result.context).toEqual({ tokenId: 'rma-42', tokenHash: sha256(TOKENS.oneTime), oneTime: 'true', allowReissue: 'false', thingTypes: '[]' });
  });

  test('the identifier is case-insensitive, as HTTP authentication schemes are', async () => {
    await expect(harness.handler(tokenEvent(`token ${TOKENS.line7}`))).resolves.toMatchObject(allowOf('line-7'));
  });

  test.each([
    ['a wrong token', `Token ${TOKENS.line7}x`],
    ['a wrong identifier', `Bearer ${TOKENS.line7}`],
    ['a missing header', undefined],
    ['an empty header', ''],
    ['a token with no identifier', TOKENS.line7],
    ['three words', `Token ${TOKENS.line7} extra`],
    ['the stored hash sent as the token', `Token ${sha256(TOKENS.line7)}`],
    ['a 2 KiB token', `Token ${'a'.repeat(2048)}`],
  ])('%s -> Unauthorized, and the token is not logged', async (_what, header) => {
    await expectUnauthorized(header);

    const lines = harness.logs.lines();
    expect(lines).toEqual([expect.objectContaining({ level: 'INFO', message: 'token refused', reason: expect.any(String) })]);
    expect(harness.logs.raw()).not.toContain(TOKENS.line7);
  });

  test('a wrong identifier or malformed header is refused without reading the secret', async () => {
    await expectUnauthorized(`Bearer ${TOKENS.line7}`);
    await expectUnauthorized('Token');
    expect(harness.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  test('no token is ever logged, accepted ones included', async () => {
    await harness.handler(tokenEvent(`Token ${TOKENS.line7}`));
    await harness.handler(tokenEvent(`Token ${TOKENS.oneTime}`));

    expect(harness.logs.raw()).not.toContain(TOKENS.line7);
    expect(harness.logs.raw()).not.toContain(TOKENS.oneTime);
    expect(harness.logs.lines().map((line) => [line.message, line.tokenId])).toEqual([['token accepted', 'line-7'], ['token accepted', 'rma-42']]);
  });

  describe('a malformed secret refuses every token, logs why and leaks nothing', () => {
    const entry = TABLE.tokens[0];
    test.each([
      ['not JSON', '{"tokens": ['],
      ['no tokens array', '{"token": []}'],
      ['an array', '[]'],
      ['a short hash', JSON.stringify({ tokens: [{ ...entry, sha256: 'abc' }] })],
      ['the token instead of its hash', JSON.stringify({ tokens: [{ ...entry, sha256: TOKENS.line7 }] })],
      ['oneTime as a string', JSON.stringify({ tokens: [{ ...entry, oneTime: 'yes' }] })],
      ['thingTypes as a string', JSON.stringify({ tokens: [{ ...entry, thingTypes: 'sensor' }] })],
      ['an unknown field', JSON.stringify({ tokens: [{ ...entry, token: TOKENS.line7 }] })],
      ['no id', JSON.stringify({ tokens: [{ sha256: entry.sha256 }] })],
      ['one hash twice', JSON.stringify({ tokens: [entry, { ...entry, id: 'other' }] })],
      ['only SecretBinary', undefined],
    ])('%s', async (_what, secretString) => {
      harness.setSecret(secretString);

      await expectUnauthorized(`Token ${TOKENS.line7}`);

      const lines = harness.logs.lines();
      expect(lines[0]).toMatchObject({ level: 'ERROR', message: expect.stringContaining('malformed'), problem: expect.any(String) });
      expect(lines[0]).not.toHaveProperty('stack');
      expect(harness.logs.raw()).not.toContain(TOKENS.line7);
      expect(harness.logs.raw()).not.toMatch(/at .*\.ts:\d+/);
    });

    test('a fixed secret takes effect on the next call: a malformed table is not cached', async () => {
      harness.setSecret('not json');
      await expectUnauthorized(`Token ${TOKENS.line7}`);
      harness.setSecret(JSON.stringify(TABLE));

      await expect(harness.handler(tokenEvent(`Token ${TOKENS.line7}`))).resolves.toMatchObject(allowOf('line-7'));
    });
  });

  test('Secrets Manager failing is our fault, not the caller\'s: not Unauthorized (API Gateway answers 500), logged', async () => {
    harness.secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(harness.handler(tokenEvent(`Token ${TOKENS.line7}`))).rejects.toThrow('token secret unavailable');
    expect(harness.logs.lines()[0]).toMatchObject({ level: 'ERROR', errorName: 'ThrottlingException' });
  });

  describe('cache', () => {
    test('two calls within SECRET_CACHE_SECONDS read the secret once', async () => {
      await harness.handler(tokenEvent(`Token ${TOKENS.line7}`));
      harness.clock += 59_000;
      await harness.handler(tokenEvent(`Token ${TOKENS.oneTime}`));

      expect(harness.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    });

    test('after SECRET_CACHE_SECONDS the secret is read again, so a revoked token stops working', async () => {
      await harness.handler(tokenEvent(`Token ${TOKENS.line7}`));
      harness.setSecret(JSON.stringify({ tokens: [TABLE.tokens[1]] }));
      harness.clock += 60_000;

      await expectUnauthorized(`Token ${TOKENS.line7}`);
      expect(harness.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    });
  });
});

import { SECRET_ARN } from './support';
import { readConfig } from '../../../lambda-assets/token-authorizer/config';
import { cachedTokenTable } from '../../../lambda-assets/token-authorizer/token-source';

describe('token authorizer config', () => {
  test('defaults the cache to 60 seconds', () => {
    expect(readConfig({ TOKEN_IDENTIFIER: 'Token', TOKENS_SECRET_ARN: SECRET_ARN })).toEqual({
      tokenIdentifier: 'Token', tokensSecretArn: SECRET_ARN, cacheMilliseconds: 60_000,
    });
  });

  test.each([
    [{ TOKENS_SECRET_ARN: SECRET_ARN }, /TOKEN_IDENTIFIER/],
    [{ TOKEN_IDENTIFIER: 'Two words', TOKENS_SECRET_ARN: SECRET_ARN }, /TOKEN_IDENTIFIER/],
    [{ TOKEN_IDENTIFIER: 'Token' }, /TOKENS_SECRET_ARN/],
    [{ TOKEN_IDENTIFIER: 'Token', TOKENS_SECRET_ARN: SECRET_ARN, SECRET_CACHE_SECONDS: 'soon' }, /SECRET_CACHE_SECONDS/],
    [{ TOKEN_IDENTIFIER: 'Token', TOKENS_SECRET_ARN: SECRET_ARN, SECRET_CACHE_SECONDS: '-1' }, /SECRET_CACHE_SECONDS/],
  ])('%j is refused naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  test('a failed read is not cached', async () => {
    const read = jest.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue('{"tokens":[]}');
    const tokens = cachedTokenTable(read, 60_000, () => 0);

    await expect(tokens()).rejects.toThrow('down');
    await expect(tokens()).resolves.toEqual([]);
    await expect(tokens()).resolves.toEqual([]);
    expect(read).toHaveBeenCalledTimes(2);
  });
});

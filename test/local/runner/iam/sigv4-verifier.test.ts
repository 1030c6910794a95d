import { presignForTest, signForTest } from './sign-for-test';
import { AuthenticationError, SigV4Verifier, type LocalCredentials, type Principal, type SignedHttpRequest } from '../../../../local/runner/iam';
import { sha256Hex } from '../../../../local/runner/iam/node-sha256';

const ROLE: Principal = { arn: 'arn:aws:iam::123456789012:role/Activator', accountId: '123456789012' };
const USER: Principal = { arn: 'arn:aws:iam::123456789012:user/local-admin', accountId: '123456789012' };
const ROLE_KEYS: LocalCredentials = { accessKeyId: 'ASIAROLEROLEROLEROLE', secretAccessKey: 'role-secret', sessionToken: 'role-session-token' };
const USER_KEYS: LocalCredentials = { accessKeyId: 'AKIAUSERUSERUSERUSER', secretAccessKey: 'user-secret' };
const NOW = new Date('2026-03-01T12:00:00Z');

const verifier = new SigV4Verifier({
  region: 'us-east-1',
  now: () => NOW,
  lookup: (id) => {
    if (id === ROLE_KEYS.accessKeyId) return { credentials: ROLE_KEYS, principal: ROLE };
    if (id === USER_KEYS.accessKeyId) return { credentials: USER_KEYS, principal: USER };
    return undefined;
  },
});

function failure(request: SignedHttpRequest, service: string): AuthenticationError {
  try {
    verifier.verify(request, service);
  } catch (error) {
    if (error instanceof AuthenticationError) return error;
    throw error;
  }
  throw new Error('verification succeeded');
}

function withHeaders(request: SignedHttpRequest, headers: Record<string, string | undefined>): SignedHttpRequest {
  return { ...request, headers: { ...request.headers, ...headers } };
}

describe('SigV4Verifier', () => {
  const post = (overrides: Partial<Parameters<typeof signForTest>[0]> = {}) => signForTest({
    method: 'POST',
    path: '/things/my%20thing',
    service: 'iot',
    credentials: ROLE_KEYS,
    signingDate: NOW,
    headers: { 'content-type': 'application/json' },
    body: '{"thingName":"my thing"}',
    ...overrides,
  });

  test('accepts a request signed by the SDK signer and answers the principal of the key', async () => {
    expect(verifier.verify(await post(), 'iot')).toBe(ROLE);
  });

  test('accepts long-term keys without a session token', async () => {
    expect(verifier.verify(await post({ credentials: USER_KEYS }), 'iot')).toBe(USER);
  });

  test('hashes the body itself when the client sent no x-amz-content-sha256', async () => {
    const request = await post({ applyChecksum: false });
    expect(request.headers['x-amz-content-sha256']).toBeUndefined();
    expect(verifier.verify(request, 'iot')).toBe(ROLE);
    expect(failure({ ...request, body: Buffer.from('{"thingName":"other"}') }, 'iot').code).toBe('InvalidSignatureException');
  });

  test('accepts query parameters that need encoding, repeated keys, and keys without a value', async () => {
    const request = await signForTest({
      path: '/things', query: { 'attributeName': 'a b/c+d', 'next Token': '=&?', 'empty': '' }, service: 'iot', credentials: ROLE_KEYS, signingDate: NOW,
    });
    expect(verifier.verify(request, 'iot')).toBe(ROLE);
    expect(verifier.verify({ ...request, url: request.url.replace('empty=', 'empty') }, 'iot')).toBe(ROLE);
  });

  test('uses an S3 payload marker (UNSIGNED-PAYLOAD) as the payload hash, whatever the body', async () => {
    const request = await signForTest({
      method: 'PUT',
      path: '/bucket/key',
      service: 's3',
      credentials: ROLE_KEYS,
      signingDate: NOW,
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      body: 'anything',
    });
    expect(verifier.verify(request, 's3')).toBe(ROLE);
  });

  describe('rejects', () => {
    test('a request without an Authorization header: MissingAuthenticationTokenException', async () => {
      const error = failure(withHeaders(await post(), { authorization: undefined }), 'iot');
      expect([error.code, error.message, error.httpStatus]).toEqual(['MissingAuthenticationTokenException', 'Missing Authentication Token', 403]);
    });

    test('a signature over another body: InvalidSignatureException (or XAmzContentSHA256Mismatch for S3)', async () => {
      expect(failure({ ...(await post()), body: Buffer.from('{"thingName":"other"}') }, 'iot').code).toBe('InvalidSignatureException');
      const s3Put = await signForTest({
        method: 'PUT',
        path: '/bucket/key',
        service: 's3',
        credentials: ROLE_KEYS,
        signingDate: NOW,
        headers: { 'x-amz-content-sha256': sha256Hex('original') },
        body: 'original',
      });
      expect(verifier.verify(s3Put, 's3')).toBe(ROLE);
      const tampered = failure({ ...s3Put, body: Buffer.from('tampered') }, 's3');
      expect([tampered.code, tampered.httpStatus]).toEqual(['XAmzContentSHA256Mismatch', 400]);
    });

    test('a changed signed header or path: InvalidSignatureException', async () => {
      const request = await post();
      expect(failure(withHeaders(request, { 'content-type': 'text/plain' }), 'iot').code).toBe('InvalidSignatureException');
      expect(failure({ ...request, url: '/things/other' }, 'iot').code).toBe('InvalidSignatureException');
      expect(failure(withHeaders(request, { 'content-type': undefined }), 'iot').code).toBe('InvalidSignatureException');
    });

    test('a wrong signature on S3: SignatureDoesNotMatch', async () => {
      const request = await signForTest({ path: '/bucket/key', service: 's3', credentials: { ...ROLE_KEYS, secretAccessKey: 'wrong' }, signingDate: NOW });
      const error = failure(request, 's3');
      expect(error.code).toBe('SignatureDoesNotMatch');
      expect(error.message).toContain('does not match the signature you provided');
    });

    test('an unknown key: UnrecognizedClientException, or InvalidAccessKeyId for S3', async () => {
      const unknown = { ...ROLE_KEYS, accessKeyId: 'ASIANOBODYNOBODYNOBO' };
      expect(failure(await post({ credentials: unknown }), 'iot').code).toBe('UnrecognizedClientException');
      const s3 = await signForTest({ path: '/b/k', service: 's3', credentials: unknown, signingDate: NOW });
      expect(failure(s3, 's3').code).toBe('InvalidAccessKeyId');
    });

    test('temporary credentials without, or with another, session token', async () => {
      const withoutToken = await post({ credentials: { accessKeyId: ROLE_KEYS.accessKeyId, secretAccessKey: ROLE_KEYS.secretAccessKey } });
      expect(failure(withoutToken, 'iot').code).toBe('UnrecognizedClientException');
      const otherToken = await post({ credentials: { ...ROLE_KEYS, sessionToken: 'stolen' } });
      expect(failure(otherToken, 'iot').message).toBe('The security token included in the request is invalid.');
      const s3 = await signForTest({ path: '/b/k', service: 's3', credentials: { ...ROLE_KEYS, sessionToken: 'stolen' }, signingDate: NOW });
      expect(failure(s3, 's3').code).toBe('InvalidToken');
    });

    test('long-term credentials that present a session token', async () => {
      expect(failure(await post({ credentials: { ...USER_KEYS, sessionToken: 'made-up' } }), 'iot').code).toBe('UnrecognizedClientException');
    });

    test('a credential scope for another region or service, naming what was expected', async () => {
      const otherRegion = failure(await post({ region: 'eu-west-1' }), 'iot');
      expect([otherRegion.code, otherRegion.message]).toEqual(['InvalidSignatureException', "Credential should be scoped to a valid region, not 'eu-west-1'. Expected 'us-east-1'."]);
      const otherService = failure(await post({ service: 'kms' }), 'iot');
      expect(otherService.code).toBe('InvalidSignatureException');
      expect(otherService.message).toContain("correct service: 'iot'");
    });

    test('a signing time more than 15 minutes old or ahead', async () => {
      const old = failure(await post({ signingDate: new Date(NOW.getTime() - 16 * 60_000) }), 'iot');
      expect(old.code).toBe('InvalidSignatureException');
      expect(old.message).toBe('Signature expired: 20260301T114400Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)');
      const ahead = failure(await post({ signingDate: new Date(NOW.getTime() + 16 * 60_000) }), 'iot');
      expect(ahead.message).toMatch(/^Signature not yet current: 20260301T121600Z is still later than 20260301T121500Z/);
      const s3 = await signForTest({ path: '/b/k', service: 's3', credentials: ROLE_KEYS, signingDate: new Date(NOW.getTime() - 16 * 60_000) });
      expect(failure(s3, 's3').code).toBe('RequestTimeTooSkewed');
      // Within the window is fine.
      expect(verifier.verify(await post({ signingDate: new Date(NOW.getTime() - 14 * 60_000) }), 'iot')).toBe(ROLE);
    });

    test('a malformed Authorization header: IncompleteSignatureException / AuthorizationHeaderMalformed (400)', async () => {
      const request = await post();
      const noSignature = String(request.headers.authorization).replace(/, Signature=.*$/, '');
      const error = failure(withHeaders(request, { authorization: noSignature }), 'iot');
      expect([error.code, error.httpStatus]).toEqual(['IncompleteSignatureException', 400]);
      expect(error.message).toContain("'Signature'");
      expect(failure(withHeaders(request, { authorization: 'AWS4-ECDSA-P256-SHA256 Credential=x' }), 'iot').code).toBe('IncompleteSignatureException');
      expect(failure(withHeaders(request, { authorization: 'AWS4-HMAC-SHA256 Credential=abc, SignedHeaders=host, Signature=00' }), 's3').code)
        .toBe('AuthorizationHeaderMalformed');
      expect(failure(withHeaders(request, { 'x-amz-date': 'yesterday' }), 'iot').code).toBe('IncompleteSignatureException');
    });

    test('a credential scope date other than the x-amz-date day', async () => {
      const request = await post();
      const error = failure(withHeaders(request, { 'x-amz-date': '20260302T000100Z' }), 'iot');
      expect(error.message).toContain('Date in Credential scope does not match');
    });
  });

  describe('presigned S3 URLs (query-string authentication)', () => {
    const presign = (signingDate: Date, credentials = ROLE_KEYS) => presignForTest({
      path: '/ca-bucket/certs/ca%20cert.pem', service: 's3', credentials, signingDate,
    }, 300);

    test('a presigned GET authenticates', async () => {
      const request = await presign(NOW);
      expect(request.url).toContain('X-Amz-Signature=');
      expect(request.headers.authorization).toBeUndefined();
      expect(verifier.verify(request, 's3')).toBe(ROLE);
    });

    test('an expired presigned GET is denied; a tampered one does not match', async () => {
      const expired = failure(await presign(new Date(NOW.getTime() - 301_000)), 's3');
      expect([expired.code, expired.message]).toEqual(['AccessDenied', 'Request has expired']);
      const request = await presign(NOW);
      expect(failure({ ...request, url: request.url.replace('ca%20cert.pem', 'ca.private_key.pem') }, 's3').code).toBe('SignatureDoesNotMatch');
    });

    test('query-string authentication is only understood by S3', async () => {
      const request = await presign(NOW);
      expect(failure(request, 'iot').code).toBe('MissingAuthenticationTokenException');
    });
  });
});

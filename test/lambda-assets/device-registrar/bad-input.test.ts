import { useRegistrarHarness, writesOf } from './support';

const harness = useRegistrarHarness();

const valid = (extra: Record<string, unknown> = {}) => ({ thingName: 'sensor-1', version: '1.4.2', ...extra });

/** [what, body, status, code, the field the message starts with, a phrase of the reason]. */
const CASES: [string, unknown, number, string, string, RegExp?][] = [
  ['not JSON', '{"thingName":', 400, 'MalformedJson', 'body'],
  ['a JSON array', '[]', 400, 'InvalidBody', 'body'],
  ['a body over 16 KiB', JSON.stringify(valid({ pad: 'x'.repeat(16 * 1024) })), 400, 'BodyTooLarge', 'body'],
  ['an empty body', undefined, 400, 'MissingField', 'thingName'],
  ['an unknown field', valid({ ThingName: 'x' }), 400, 'InvalidField', 'ThingName', /unknown field/],
  ['no thingName', { version: '1' }, 400, 'MissingField', 'thingName'],
  ['a thingName with a space', valid({ thingName: 'sensor 1' }), 400, 'InvalidField', 'thingName'],
  ['a thingName of 129 characters', valid({ thingName: 'x'.repeat(129) }), 400, 'InvalidField', 'thingName'],
  ['a thingName that is a number', valid({ thingName: 7 }), 400, 'InvalidField', 'thingName'],
  ['no version', { thingName: 'sensor-1' }, 400, 'MissingField', 'version'],
  ['an empty version', valid({ version: '' }), 400, 'InvalidField', 'version'],
  ['a version of 65 characters', valid({ version: '1'.repeat(65) }), 400, 'InvalidField', 'version'],
  ['a version with a space', valid({ version: '1.0 beta' }), 400, 'InvalidField', 'version'],
  ['a version that is a number', valid({ version: 1 }), 400, 'InvalidField', 'version'],
  ['an unknown thingType', valid({ thingType: 'toaster' }), 400, 'InvalidField', 'thingType', /not a type this gateway registers/],
  ['a thingType that is a number', valid({ thingType: 3 }), 400, 'InvalidField', 'thingType'],
  ['a type the token may not register', valid({ thingType: 'gateway' }), 403, 'ThingTypeNotAllowed', 'thingType'],
  ['attributes that are an array', valid({ attributes: [] }), 400, 'InvalidField', 'attributes'],
  ['an attribute the type does not list', valid({ attributes: { colour: 'red' } }), 400, 'InvalidField', 'attributes.colour', /line, site/],
  ['version among the attributes', valid({ attributes: { version: '2' } }), 400, 'InvalidField', 'attributes.version'],
  ['an attribute value with a space', valid({ attributes: { line: 'line 7' } }), 400, 'InvalidField', 'attributes'],
  ['an attribute value that is a number', valid({ attributes: { line: 7 } }), 400, 'InvalidField', 'attributes'],
  ['an attribute value of 801 characters', valid({ attributes: { site: 'v'.repeat(801) } }), 400, 'InvalidField', 'attributes'],
  ['three attributes and version on a thing with no AWS type', valid({ thingType: 'bare', attributes: { a: '1', b: '2', c: '3' } }), 400, 'InvalidField',
    'attributes', /at most 2 attributes are allowed \(besides version\)/],
];

describe('POST /register refuses bad input and writes nothing', () => {
  const rows = CASES.map(([what, body, status, code, field, reason]) => ({ what, body, status, code, field, reason }));
  test.each(rows)('$what -> $status $code naming $field', async ({ body, status, code, field, reason }) => {
    // 'bare' takes a, b, c: its limit is AWS's three attributes for a thing without a type.
    const response = await harness.post(body, { thingTypes: ['sensor', 'bare'] });

    expect(response.statusCode).toBe(status);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
    const { message } = response.body.error as { message: string };
    expect(message.startsWith(`${field}: `)).toBe(true);
    if (reason) expect(message).toMatch(reason);
    expect(writesOf(harness.iot)).toEqual([]);
    expect(writesOf(harness.s3)).toEqual([]);
    expect(harness.iot.calls().length).toBe(0);
  });

  test('no authorizer context -> 401, nothing read or written', async () => {
    const response = await harness.post(valid(), null);

    expect(response.statusCode).toBe(401);
    expect(response.body).toEqual({ error: { code: 'Unauthorized', message: expect.stringMatching(/^Authorization: /) } });
    expect(harness.iot.calls().length).toBe(0);
    expect(harness.s3.calls().length).toBe(0);
  });

  test('a 4xx carries no stack trace', async () => {
    const response = await harness.post('{');
    expect(JSON.stringify(response.body)).not.toMatch(/\.ts:\d+|at /);
  });
});

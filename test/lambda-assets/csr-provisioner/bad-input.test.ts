import { base64, CsrFactory, forgedSignature, iotWrites, useProvisionerHarness } from './support';

const csrs = new CsrFactory();
const harness = useProvisionerHarness();
const { iot } = harness;

const pems: Record<string, string> = {};
beforeAll(() => {
  pems.good = csrs.make('P-256');
  pems.rsa1024 = csrs.make('rsa:1024');
  pems.ed25519 = csrs.make('ed25519');
  pems.forged = forgedSignature(csrs.make('rsa:2048'));
  pems.certificate = csrs.certificate();
}, 60_000);
afterAll(() => csrs.dispose());

const valid = (extra: Record<string, unknown> = {}) => ({ ThingName: 'sensor-1', CSR: base64(pems.good), ...extra });
const attributes = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`a${i}`, 'v']));

/** [what, body (a function: CSRs are made in beforeAll), status, code, the field the message starts with, a phrase of the reason]. */
const CASES: [string, () => unknown, number, string, string, RegExp?][] = [
  ['not JSON', () => '{"ThingName":', 400, 'MalformedJson', 'body'],
  ['a JSON array', () => '[]', 400, 'InvalidBody', 'body'],
  ['a body over 64 KiB', () => JSON.stringify(valid({ pad: 'x'.repeat(70_000) })), 400, 'BodyTooLarge', 'body'],
  ['an empty body', () => undefined, 400, 'MissingField', 'ThingName'],
  ['an unknown field', () => valid({ thingName: 'x' }), 400, 'InvalidField', 'thingName', /unknown field/],
  ['no ThingName', () => ({ CSR: base64(pems.good) }), 400, 'MissingField', 'ThingName'],
  ['a ThingName with a space', () => valid({ ThingName: 'sensor 1' }), 400, 'InvalidField', 'ThingName'],
  ['a ThingName of 129 characters', () => valid({ ThingName: 'x'.repeat(129) }), 400, 'InvalidField', 'ThingName'],
  ['an empty ThingName', () => valid({ ThingName: '' }), 400, 'InvalidField', 'ThingName'],
  ['a ThingName that is a number', () => valid({ ThingName: 42 }), 400, 'InvalidField', 'ThingName'],
  ['no CSR', () => ({ ThingName: 'sensor-1' }), 400, 'MissingField', 'CSR'],
  ['a CSR that is a number', () => valid({ CSR: 7 }), 400, 'InvalidField', 'CSR'],
  ['garbage base64', () => valid({ CSR: 'not*base64!' }), 400, 'InvalidField', 'CSR', /base64/],
  ['base64 of something else', () => valid({ CSR: base64('hello world, no CSR here') }), 400, 'InvalidField', 'CSR'],
  ['a forged signature', () => valid({ CSR: base64(pems.forged) }), 400, 'InvalidField', 'CSR', /signature/],
  ['an RSA-1024 key', () => valid({ CSR: base64(pems.rsa1024) }), 400, 'InvalidField', 'CSR', /RSA-1024/],
  ['an Ed25519 key', () => valid({ CSR: base64(pems.ed25519) }), 400, 'InvalidField', 'CSR', /Ed25519/],
  ['a certificate instead of a CSR', () => valid({ CSR: base64(pems.certificate) }), 400, 'InvalidField', 'CSR', /CERTIFICATE/],
  ['a certificate instead of a CSR, as PEM', () => valid({ CSR: pems.certificate }), 400, 'InvalidField', 'CSR'],
  ['two CSRs', () => valid({ CSR: base64(pems.good + pems.good) }), 400, 'InvalidField', 'CSR'],
  ['a CSR over 16 KiB', () => valid({ CSR: 'A'.repeat(16388) }), 400, 'InvalidField', 'CSR'],
  ['a ThingTypeName with a slash', () => valid({ ThingTypeName: 'a/b' }), 400, 'InvalidField', 'ThingTypeName'],
  ['a thing type that does not exist', () => valid({ ThingTypeName: 'Nope' }), 400, 'ThingTypeNotFound', 'ThingTypeName', /does not exist/],
  ['a deprecated thing type', () => valid({ ThingTypeName: 'OldSensor' }), 400, 'InvalidField', 'ThingTypeName', /deprecated/],
  ['ThingGroups that is a string', () => valid({ ThingGroups: 'Factory-7' }), 400, 'InvalidField', 'ThingGroups'],
  ['a thing group name that is a number', () => valid({ ThingGroups: ['Factory-7', 3] }), 400, 'InvalidField', 'ThingGroups[1]'],
  ['a thing group listed twice', () => valid({ ThingGroups: ['Line-3', 'Line-3'] }), 400, 'InvalidField', 'ThingGroups[1]', /twice/],
  ['eleven thing groups', () => valid({ ThingGroups: Array.from({ length: 11 }, (_, i) => `g${i}`) }), 400, 'InvalidField', 'ThingGroups'],
  ['a thing group that does not exist', () => valid({ ThingGroups: ['Factory-7', 'Nope'] }), 400, 'ThingGroupNotFound', 'ThingGroups[1]'],
  ['a dynamic thing group', () => valid({ ThingGroups: ['Dynamic'] }), 400, 'InvalidField', 'ThingGroups[0]', /dynamic/],
  ['AttributePayload that is an array', () => valid({ AttributePayload: [] }), 400, 'InvalidField', 'AttributePayload'],
  ['AttributePayload with merge', () => valid({ AttributePayload: { attributes: {}, merge: true } }), 400, 'InvalidField', 'AttributePayload.merge'],
  ['attributes that are a string', () => valid({ AttributePayload: { attributes: 'a=b' } }), 400, 'InvalidField', 'AttributePayload.attributes'],
  ['four attributes without a thing type', () => valid({ AttributePayload: { attributes: attributes(4) } }), 400, 'InvalidField',
    'AttributePayload.attributes', /at most 3/],
  ['51 attributes with a thing type', () => valid({ ThingTypeName: 'Sensor', AttributePayload: { attributes: attributes(51) } }), 400, 'InvalidField',
    'AttributePayload.attributes', /at most 50/],
  ['an attribute name with a space', () => valid({ AttributePayload: { attributes: { 'a b': 'v' } } }), 400, 'InvalidField', 'AttributePayload.attributes'],
  ['an attribute value with a quote', () => valid({ AttributePayload: { attributes: { a: 'x"y' } } }), 400, 'InvalidField', 'AttributePayload.attributes'],
  ['an attribute value of 801 characters', () => valid({ AttributePayload: { attributes: { a: 'v'.repeat(801) } } }), 400, 'InvalidField',
    'AttributePayload.attributes'],
  ['an attribute value that is a number', () => valid({ AttributePayload: { attributes: { a: 1 } } }), 400, 'InvalidField', 'AttributePayload.attributes'],
  ['an attribute named Ref', () => valid({ AttributePayload: { attributes: { Ref: 'CSR' } } }), 400, 'InvalidField', 'AttributePayload.attributes.Ref'],
  ['an attribute named Fn::Join', () => valid({ AttributePayload: { attributes: { 'Fn::Join': 'x' } } }), 400, 'InvalidField',
    'AttributePayload.attributes.Fn::Join'],
  ['rotate as a string', () => valid({ rotate: 'true' }), 400, 'InvalidField', 'rotate'],
];

describe('POST /provision/device refuses bad input and creates nothing', () => {
  // Every row as long as the callback's parameter list: a shorter one would get jest's `done` as its reason.
  const rows = CASES.map(([what, body, status, code, field, reason]) => [`${what} -> ${status} ${code} naming ${field}`, body, status, code, field, reason ?? null] as const);
  test.each(rows)('%s', async (_title, body, status, code, field, reason) => {
    harness.registry.thingTypes.set('OldSensor', { deprecated: true });
    harness.registry.thingGroups.set('Dynamic', { dynamic: true });

    const response = await harness.post(body());

    expect(response.statusCode).toBe(status);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
    const { message } = response.body.error as { message: string };
    expect(message.startsWith(`${field}: `)).toBe(true);
    if (reason) expect(message).toMatch(reason);
    expect(iotWrites(iot)).toEqual([]);
    expect(harness.registry.things.size).toBe(0);
    expect(response.raw).not.toMatch(/\n\s+at /); // no stack trace
  });
});

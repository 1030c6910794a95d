import { evaluateIotSql, IotSqlEvaluationError, parseIotSql, SqlMessage } from '../../../../local/runner/iot-rules';

const payload = {
  color: 'red',
  temperature: 50,
  reading: '42.5',
  on: true,
  flag: 'TRUE',
  nothing: null,
  state: { reported: { color: 'blue', level: 3 } },
  list: [1, 2],
};

function message(overrides: Partial<SqlMessage> = {}): SqlMessage {
  return { topic: 'devices/dev-1/telemetry', payload: Buffer.from(JSON.stringify(payload)), clientId: 'dev-1', timestamp: 1_700_000_000_000, ...overrides };
}

function run(sql: string, overrides: Partial<SqlMessage> = {}) {
  return evaluateIotSql(parseIotSql(sql), message(overrides));
}

function select(expressions: string, overrides: Partial<SqlMessage> = {}): unknown {
  const result = run(`SELECT ${expressions} FROM '#'`, overrides);
  if (result?.kind !== 'json') throw new Error(`expected a JSON result, got ${JSON.stringify(result)}`);
  return result.value;
}

describe('evaluateIotSql: SELECT', () => {
  test('SELECT * passes a JSON payload through unchanged', () => {
    expect(run("SELECT * FROM '#'")).toEqual({ kind: 'json', value: payload });
  });

  test('SELECT * passes a payload that is not JSON through as its bytes', () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    expect(run("SELECT * FROM '#'", { payload: bytes })).toEqual({ kind: 'binary', payload: bytes });
  });

  test.each([
    ['fields, with and without AS', 'color, temperature AS fahrenheit', { color: 'red', fahrenheit: 50 }],
    ['a nested field, named by its last segment', 'state.reported.color', { color: 'blue' }],
    ['objects, arrays and null values', 'state.reported AS r, list, nothing', { r: { color: 'blue', level: 3 }, list: [1, 2], nothing: null }],
    ['* plus items adds to the payload', '*, 15 AS speed', { ...payload, speed: 15 }],
    ['undefined fields are left out (2016-03-23)', 'missing, color.deeper, state.missing.x, color', { color: 'red' }],
    ['literal types survive', "'s' AS s, 7 AS i, 1.5 AS d, -2 AS n, true AS t, FALSE AS f", { s: 's', i: 7, d: 1.5, n: -2, t: true, f: false }],
    ['topic() and topic(n)', 'topic() AS t, topic(1) AS first, topic(2) AS device, topic(9) AS beyond',
      { t: 'devices/dev-1/telemetry', first: 'devices', device: 'dev-1' }],
    ['clientid() and timestamp()', 'clientid() AS c, timestamp() AS ts', { c: 'dev-1', ts: 1_700_000_000_000 }],
    ['a condition as a value', 'temperature > 40 AS hot, color = 1 AS mixed', { hot: true }],
  ])('%s', (_label, expressions, expected) => {
    expect(select(expressions)).toEqual(expected);
  });

  test('clientid() is n/a for messages AWS IoT publishes itself', () => {
    expect(select('clientid() AS c', { clientId: undefined })).toEqual({ c: 'n/a' });
  });

  test('principal() is what the caller knows, or left out', () => {
    expect(select('principal() AS p', { principal: 'abc123' })).toEqual({ p: 'abc123' });
    expect(select('principal() AS p')).toEqual({});
  });

  test('fields of a payload that is not JSON are undefined', () => {
    expect(select('color, topic(1) AS t', { payload: Buffer.from('not json') })).toEqual({ t: 'devices' });
  });

  test('* with other items needs a JSON object', () => {
    expect(() => run("SELECT *, 1 AS x FROM '#'", { payload: Buffer.from('raw') })).toThrow(IotSqlEvaluationError);
    expect(() => run("SELECT *, 1 AS x FROM '#'", { payload: Buffer.from('[1]') })).toThrow('needs a payload that is a JSON object');
  });
});

describe('evaluateIotSql: WHERE', () => {
  test.each([
    ["color = 'red'", true],
    ["color = 'RED'", false],
    ["color <> 'blue'", true],
    ["color != 'red'", false],
    ['temperature = 50', true],
    ['temperature = 50.0', true],
    ['temperature > 40 AND temperature <= 50', true],
    ['temperature < 50', false],
    ['temperature >= 51 OR on = true', true],
    ['NOT temperature > 60', true],
    ['NOT (temperature > 40 AND color = \'red\')', false],
    ['reading > 40', true], // a string that reads as a decimal compares numerically
    ['color > 1', false], // a string that does not is Undefined
    ["temperature = '50'", false], // = across types is Undefined
    ['state.reported.level = 3', true],
    ['state.reported = state.reported', true],
    ['list = list', true],
    ['on', true],
    ['flag AND on', true], // 'true' strings are booleans to AND
    ['color', false], // a non-boolean WHERE is not true
    ['nothing IS NULL', true],
    ['nothing IS NOT NULL', false],
    ['color IS NOT NULL', true],
    ['color IS NULL', false],
    ["topic(2) = 'dev-1'", true],
    ["clientid() = 'dev-1'", true],
    ['timestamp() > 0', true],
  ])('%s -> %s', (condition, matches) => {
    expect(run(`SELECT * FROM '#' WHERE ${condition}`) !== undefined).toBe(matches);
  });

  test.each([
    'missing = 1',
    'missing <> 1',
    'NOT missing = 1',
    'missing > 1 OR temperature > 1', // Undefined is not false: OR over it stays Undefined
    'missing IS NULL',
    'missing IS NOT NULL',
    'state.missing.deeper = 1',
  ])('a condition on an undefined field is not true: %s', (condition) => {
    expect(run(`SELECT * FROM '#' WHERE ${condition}`)).toBeUndefined();
  });

  test('WHERE on a payload that is not JSON sees undefined fields but real metadata', () => {
    const raw = { payload: Buffer.from('\u0001\u0002') };
    expect(run("SELECT * FROM '#' WHERE a = 1", raw)).toBeUndefined();
    expect(run("SELECT * FROM '#' WHERE topic(3) = 'telemetry'", raw)).toEqual({ kind: 'binary', payload: raw.payload });
  });
});

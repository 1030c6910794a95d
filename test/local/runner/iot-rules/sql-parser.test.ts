import { IotSqlError, parseIotSql } from '../../../../local/runner/iot-rules';

describe('parseIotSql: the supported subset', () => {
  test('the JITR rule: SELECT * from an $aws event filter', () => {
    expect(parseIotSql("SELECT * FROM '$aws/events/certificates/registered/+'")).toEqual({
      sql: "SELECT * FROM '$aws/events/certificates/registered/+'",
      select: [{ kind: 'all' }],
      from: '$aws/events/certificates/registered/+',
      where: undefined,
    });
  });

  test.each([
    ['a field keeps its name', 'SELECT color FROM \'a/b\'', [{ kind: 'expression', name: 'color', expression: { kind: 'path', segments: ['color'] } }]],
    ['a nested field is named by its last segment', 'SELECT state.reported.color FROM \'a/b\'',
      [{ kind: 'expression', name: 'color', expression: { kind: 'path', segments: ['state', 'reported', 'color'] } }]],
    ['AS renames', 'select color as rgb from \'a/b\'', [{ kind: 'expression', name: 'rgb', expression: { kind: 'path', segments: ['color'] } }]],
    ['* with extra items', "SELECT *, topic(2) AS device FROM 'a/+'", [
      { kind: 'all' },
      { kind: 'expression', name: 'device', expression: { kind: 'call', name: 'topic', argument: 2 } },
    ]],
    ['functions with aliases', "SELECT topic() AS t, clientid() AS c, timestamp() AS ts, principal() AS p FROM '#'", [
      { kind: 'expression', name: 't', expression: { kind: 'call', name: 'topic' } },
      { kind: 'expression', name: 'c', expression: { kind: 'call', name: 'clientid' } },
      { kind: 'expression', name: 'ts', expression: { kind: 'call', name: 'timestamp' } },
      { kind: 'expression', name: 'p', expression: { kind: 'call', name: 'principal' } },
    ]],
    ['literals of each type', "SELECT 'x' AS s, 15 AS i, 2.5 AS d, -3 AS n, TRUE AS t, false AS f FROM 'a'", [
      { kind: 'expression', name: 's', expression: { kind: 'literal', value: 'x' } },
      { kind: 'expression', name: 'i', expression: { kind: 'literal', value: 15 } },
      { kind: 'expression', name: 'd', expression: { kind: 'literal', value: 2.5 } },
      { kind: 'expression', name: 'n', expression: { kind: 'literal', value: -3 } },
      { kind: 'expression', name: 't', expression: { kind: 'literal', value: true } },
      { kind: 'expression', name: 'f', expression: { kind: 'literal', value: false } },
    ]],
  ])('%s', (_label, sql, select) => {
    expect(parseIotSql(sql).select).toEqual(select);
  });

  test('WHERE: NOT binds tighter than AND, AND tighter than OR, parentheses regroup', () => {
    const { where } = parseIotSql("SELECT * FROM 'a' WHERE NOT a = 1 AND b <> 2 OR (c >= 3 AND d IS NOT NULL)");
    expect(where).toEqual({
      kind: 'or',
      left: {
        kind: 'and',
        left: { kind: 'not', operand: { kind: 'compare', operator: '=', left: { kind: 'path', segments: ['a'] }, right: { kind: 'literal', value: 1 } } },
        right: { kind: 'compare', operator: '<>', left: { kind: 'path', segments: ['b'] }, right: { kind: 'literal', value: 2 } },
      },
      right: {
        kind: 'and',
        left: { kind: 'compare', operator: '>=', left: { kind: 'path', segments: ['c'] }, right: { kind: 'literal', value: 3 } },
        right: { kind: 'isNull', negated: true, operand: { kind: 'path', segments: ['d'] } },
      },
    });
  });

  test('!= is read as <>', () => {
    expect(parseIotSql("SELECT * FROM 'a' WHERE a != 'x'").where).toMatchObject({ kind: 'compare', operator: '<>' });
  });

  test('a quote inside a string literal is escaped with a backslash', () => {
    expect(parseIotSql("SELECT 'it\\'s' AS s FROM 'a'").select).toEqual([{ kind: 'expression', name: 's', expression: { kind: 'literal', value: "it's" } }]);
  });
});

describe('parseIotSql: what it rejects, and how it says so', () => {
  test.each([
    ['CASE', "SELECT CASE a WHEN 1 THEN 'x' END AS c FROM 'a'", 'CASE'],
    ['LIKE', "SELECT * FROM 'a' WHERE a LIKE 'x%'", 'LIKE'],
    ['IN', "SELECT * FROM 'a' WHERE a IN (1, 2)", 'IN'],
    ['SELECT VALUE', "SELECT VALUE a FROM 'a'", 'VALUE'],
    ['SET clauses', "SET @x = 1 SELECT * FROM 'a'", 'SET'],
    ['variables', "SELECT @x AS x FROM 'a'", 'variables (@name)'],
    ['IS UNDEFINED', "SELECT * FROM 'a' WHERE a IS UNDEFINED", 'UNDEFINED'],
    ['other functions', "SELECT upper(a) AS u FROM 'a'", 'the function upper()'],
    ['arithmetic +', "SELECT a + 1 AS b FROM 'a'", 'the arithmetic operator +'],
    ['arithmetic -', "SELECT a - 1 AS b FROM 'a'", 'the arithmetic operator -'],
    ['arithmetic *', "SELECT * FROM 'a' WHERE a * 2 > 1", 'the arithmetic operator *'],
    ['array indexing', "SELECT a[0] AS b FROM 'a'", 'array indexing ([...])'],
    ['double-quoted identifiers', 'SELECT "a-b" AS b FROM \'a\'', 'double-quoted identifiers'],
    ['nested SELECT', "SELECT (SELECT v FROM e) AS s FROM 'a'", 'nested SELECT'],
    ['a.*', "SELECT a.* FROM 'a'", 'a.*'],
    ['the NULL literal', "SELECT * FROM 'a' WHERE a = NULL", 'the NULL literal'],
    ['substitution templates', "SELECT ${topic()} AS t FROM 'a'", 'substitution templates (${...})'],
    ['an unnamed function call', "SELECT topic() FROM 'a'", 'unnamed SELECT expression'],
    ['an unnamed literal', "SELECT 15 FROM 'a'", 'unnamed SELECT expression'],
  ])('%s', (_label, sql, construct) => {
    let caught: unknown;
    try {
      parseIotSql(sql);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IotSqlError);
    expect((caught as IotSqlError).construct).toBe(construct);
    expect((caught as IotSqlError).message).toContain(construct === 'unnamed SELECT expression' ? 'AS <name>' : construct);
  });

  test.each([
    ['an unquoted topic', 'SELECT * FROM a/b', /expected a quoted topic filter.*, found a/],
    ['a misplaced #', "SELECT * FROM 'a/#/b'", /invalid topic filter 'a\/#\/b'/],
    ['a partial +', "SELECT * FROM 'a/b+'", /invalid topic filter/],
    ['an empty filter', "SELECT * FROM ''", /invalid topic filter/],
    ['an unterminated string', "SELECT * FROM 'a", /unterminated string literal/],
    ['trailing words', "SELECT * FROM 'a' WHERE a = 1 b", /expected the end of the statement, found b/],
    ['a missing parenthesis', "SELECT * FROM 'a' WHERE (a = 1", /expected '\)'/],
    ['topic(0)', "SELECT topic(0) AS t FROM 'a'", /topic\(0\) needs a level from 1/],
    ['clientid with an argument', "SELECT clientid(1) AS c FROM 'a'", /clientid\(\) takes no argument/],
    ['a keyword as a field', "SELECT * FROM 'a' WHERE AND = 1", /expected an expression, found AND/],
    ['an unknown character', "SELECT * FROM 'a' WHERE a = 1 ;", /unexpected character ";"/],
  ])('%s is a syntax error with a position', (_label, sql, message) => {
    expect(() => parseIotSql(sql)).toThrow(message);
    expect(() => parseIotSql(sql)).toThrow(/at character \d+/);
  });
});

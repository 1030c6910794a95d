import { attributeProblem, isValidThingName } from '../../../../lambda-assets/shared/iot/thing-names';

describe('isValidThingName (CreateThing: 1-128 of [a-zA-Z0-9:_-])', () => {
  test.each(['sensor-001', 'a', 'ACME:line_7:unit-42', '0'.repeat(64), 'x'.repeat(128)])('accepts %s', (name) => {
    expect(isValidThingName(name)).toBe(true);
  });

  test.each<[string, unknown]>([
    ['empty', ''],
    ['a space', 'my device'],
    ['a dot', 'sensor.example.com'],
    ['a slash', 'a/b'],
    ['a $', '$aws'],
    ['a non-ASCII letter', 'sensör'],
    ['129 characters', 'x'.repeat(129)],
    ['a trailing newline', 'sensor\n'],
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
  ])('refuses %s', (_name, value) => {
    expect(isValidThingName(value)).toBe(false);
  });
});

describe('attributeProblem (thing attributes)', () => {
  test('accepts names and values AWS IoT accepts, and no attributes', () => {
    expect(attributeProblem({})).toBeUndefined();
    expect(attributeProblem({ 'model.name': 'X1', 'site@de:muc/2#a,b_c-d': 'a=b[1],c@d/e:f#g.h-i_j', 'empty': '' })).toBeUndefined();
    expect(attributeProblem({ ['n'.repeat(128)]: 'v'.repeat(800) })).toBeUndefined();
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['a name with a space', { 'a b': 'x' }, /attribute name 'a b'/],
    ['an empty name', { '': 'x' }, /attribute name ''/],
    ['a name of 129 characters', { ['n'.repeat(129)]: 'x' }, /attribute name/],
    ['a value with a space', { a: 'x y' }, /attribute 'a' must be a string/],
    ['a value of 801 characters', { a: 'v'.repeat(801) }, /attribute 'a'/],
    ['a number', { a: 1 }, /attribute 'a' must be a string/],
    ['null', { a: null }, /attribute 'a' must be a string/],
    ['51 attributes', Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, 'v'])), /at most 50 attributes/],
  ])('refuses %s', (_name, attributes, problem) => {
    expect(attributeProblem(attributes)).toMatch(problem);
  });
});

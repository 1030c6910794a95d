import { DEFAULT_RATE_LIMITS, IotModel, IotServiceError } from '../../../../local/iot';
import { RateLimiter } from '../../../../local/iot/model/rate-limits';

describe('RateLimiter', () => {
  let now = 0;
  const clock = () => now;

  test('a burst of the TPS passes, the next call is throttled, tokens come back at the TPS', () => {
    const limiter = new RateLimiter({ Op: 5 }, clock);
    for (let i = 0; i < 5; i++) limiter.take('Op');
    expect(() => limiter.take('Op')).toThrow(expect.objectContaining({ name: 'ThrottlingException', httpStatus: 400, message: 'Rate exceeded' }));
    now += 200; // one token (5 per second)
    limiter.take('Op');
    expect(() => limiter.take('Op')).toThrow(IotServiceError);
    now += 10_000; // never more than a second's worth
    for (let i = 0; i < 5; i++) limiter.take('Op');
    expect(() => limiter.take('Op')).toThrow(IotServiceError);
  });

  test('operations have separate buckets', () => {
    const limiter = new RateLimiter({ A: 1, B: 1 }, clock);
    limiter.take('A');
    limiter.take('B');
    expect(() => limiter.take('A')).toThrow(IotServiceError);
  });

  test('true uses AWS defaults; overrides replace single operations; false and Infinity lift limits', () => {
    expect(new RateLimiter(true, clock).rateOf('RegisterThing')).toBe(10);
    expect(new RateLimiter(true, clock).rateOf('AttachPolicy')).toBe(15);
    expect(new RateLimiter({ CreateThing: 100 }, clock).rateOf('CreateThing')).toBe(100);
    expect(new RateLimiter({ CreateThing: 100 }, clock).rateOf('CreateThingGroup')).toBe(25);
    expect(new RateLimiter(false, clock).rateOf('CreateThing')).toBeUndefined();
    const unlimited = new RateLimiter({ Op: Infinity }, clock);
    for (let i = 0; i < 1000; i++) unlimited.take('Op');
    expect(() => new RateLimiter({ Op: 0 }, clock)).toThrow(/positive/);
  });

  test('the defaults cover every operation the HTTP layer routes, with the onboarding values of AWS-FACTS', () => {
    expect(DEFAULT_RATE_LIMITS).toMatchObject({
      RegisterThing: 10,
      CreateThing: 15,
      AttachThingPrincipal: 15,
      AttachPolicy: 15,
      CreatePolicy: 10,
      UpdateCertificate: 10,
      DescribeCertificate: 10,
      RegisterCertificate: 10,
      CreateCertificateFromCsr: 15,
      AddThingToThingGroup: 60,
    });
  });
});

describe('IotModel rate limits', () => {
  test('SDK-shaped operations are limited, gateway-facing methods are not', async () => {
    const model = new IotModel({ rateLimits: { DescribeThing: 2 }, now: () => 0 });
    await model.createThing({ thingName: 't' });
    await model.describeThing({ thingName: 't' });
    await model.describeThing({ thingName: 't' });
    await expect(model.describeThing({ thingName: 't' })).rejects.toMatchObject({ name: 'ThrottlingException' });
    for (let i = 0; i < 100; i++) expect(model.thing('t')).toBeDefined();
  });
});

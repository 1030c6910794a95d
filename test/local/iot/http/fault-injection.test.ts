/**
 * The control plane's test-only fault switch: a share of the requests answered 500 InternalFailureException,
 * half before the operation ran (nothing changed) and half after it took effect (the change is there, the
 * caller never learns it). The AWS SDK retries both; idempotent operations then converge. Off by default.
 */
import { CreateThingCommand, DescribeThingCommand, InternalFailureException, IoTClient } from '@aws-sdk/client-iot';
import { IotModel, startControlPlane, type ControlPlane } from '../../../../local/iot';

const running: { server: ControlPlane; clients: IoTClient[] }[] = [];

afterEach(async () => {
  for (const { server, clients } of running.splice(0)) {
    clients.forEach((client) => client.destroy());
    await server.close();
  }
});

/** A control plane whose random draws come from `draws` (then 0.99: no more failures). */
async function start(rate: number | undefined, draws: number[] = []) {
  const model = new IotModel({ rateLimits: false });
  const server = await startControlPlane({ model, faults: { controlPlaneInternalFailureRate: rate, random: () => draws.shift() ?? 0.99 } });
  const config = { endpoint: server.url, region: model.region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const once = new IoTClient({ ...config, maxAttempts: 1 });
  const retrying = new IoTClient({ ...config, maxAttempts: 3 });
  running.push({ server, clients: [once, retrying] });
  return { model, server, once, retrying };
}

test('a failure before the effect: 500 InternalFailureException, nothing changed', async () => {
  // First draw: fail (< rate); second: before the effect (< 0.5).
  const { model, server, once } = await start(0.5, [0.1, 0.2]);

  const error = await once.send(new CreateThingCommand({ thingName: 'before' })).catch((caught: unknown) => caught);

  expect(error).toBeInstanceOf(InternalFailureException);
  expect((error as InternalFailureException).$metadata.httpStatusCode).toBe(500);
  expect(model.thing('before')).toBeUndefined();
  expect(server.injectedInternalFailures()).toEqual({ beforeEffect: 1, afterEffect: 0 });
  // The call never reached the model: no rate-limit token was taken for it.
  expect(model.admittedCalls()).toEqual({});
});

test('a failure after the effect: 500, and the change is there; the SDK\'s retry of an idempotent call converges', async () => {
  const { model, server, once, retrying } = await start(0.5, [0.1, 0.7, 0.1, 0.7]);

  await expect(once.send(new CreateThingCommand({ thingName: 'after' }))).rejects.toBeInstanceOf(InternalFailureException);
  expect(model.thing('after')).toBeDefined();

  // The SDK retries a 500; CreateThing with the same input answers the existing thing.
  const created = await retrying.send(new CreateThingCommand({ thingName: 'again' }));
  expect(created.thingName).toBe('again');
  expect(model.admittedCalls()).toEqual({ CreateThing: 3 });
  expect(server.injectedInternalFailures()).toEqual({ beforeEffect: 0, afterEffect: 2 });
});

test('off by default and at rate 0: no request fails', async () => {
  for (const rate of [undefined, 0]) {
    const { server, once } = await start(rate, [0, 0, 0]);
    await once.send(new CreateThingCommand({ thingName: 'fine' }));
    await once.send(new DescribeThingCommand({ thingName: 'fine' }));
    expect(server.injectedInternalFailures()).toEqual({ beforeEffect: 0, afterEffect: 0 });
  }
});

test('an operation that fails on its own is answered with its own error, and not counted as injected', async () => {
  const { server, once } = await start(1, [0.1, 0.7]);

  await expect(once.send(new DescribeThingCommand({ thingName: 'missing' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  expect(server.injectedInternalFailures()).toEqual({ beforeEffect: 0, afterEffect: 0 });
});

test('a rate outside 0..1 is refused', async () => {
  const model = new IotModel({ rateLimits: false });
  await expect(startControlPlane({ model, faults: { controlPlaneInternalFailureRate: 1.5 } })).rejects.toThrow('controlPlaneInternalFailureRate must be a number from 0 to 1, got 1.5');
});

import { DescribeCACertificateCommand, IoTClient, ListTagsForResourceCommand, ResourceNotFoundException } from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { cachedCaOwnership } from '../../../lambda-assets/device-activator/ca-ownership';

const iot = mockClient(IoTClient);
const CA = 'c'.repeat(64);
const CA_ARN = `arn:aws:iot:eu-west-1:123456789012:cacert/${CA}`;

afterAll(() => iot.restore());
beforeEach(() => {
  iot.reset();
  iot.on(DescribeCACertificateCommand).resolves({ certificateDescription: { certificateId: CA, certificateArn: CA_ARN } });
});

describe('cachedCaOwnership', () => {
  test('owned when the registrar tag is ours; the verifier comes from its tag; tags are read across pages', async () => {
    iot.on(ListTagsForResourceCommand)
      .resolvesOnce({ tags: [{ Key: 'cdk-iot-security:registrar', Value: 'me' }], nextToken: 'page-2' })
      .resolvesOnce({ tags: [{ Key: 'cdk-iot-security:verifier', Value: 'v1' }] });

    await expect(cachedCaOwnership(new IoTClient({}), 'me')(CA)).resolves.toEqual({ owned: true, verifierName: 'v1' });
    expect(iot.commandCalls(ListTagsForResourceCommand).map((call) => call.args[0].input)).toEqual([
      { resourceArn: CA_ARN, nextToken: undefined },
      { resourceArn: CA_ARN, nextToken: 'page-2' },
    ]);
  });

  test('not owned: another registrar, no registrar tag, an unknown CA, a CA without ARN', async () => {
    iot.on(ListTagsForResourceCommand).resolvesOnce({ tags: [{ Key: 'cdk-iot-security:registrar', Value: 'other' }] }).resolvesOnce({});
    const lookup = cachedCaOwnership(new IoTClient({}), 'me');
    await expect(lookup('1'.repeat(64))).resolves.toEqual({ owned: false });
    await expect(lookup('2'.repeat(64))).resolves.toEqual({ owned: false });

    iot.on(DescribeCACertificateCommand).rejectsOnce(new ResourceNotFoundException({ message: 'gone', $metadata: {} })).resolves({});
    await expect(lookup('3'.repeat(64))).resolves.toEqual({ owned: false });
    await expect(lookup('4'.repeat(64))).resolves.toEqual({ owned: false });
    expect(iot.commandCalls(ListTagsForResourceCommand)).toHaveLength(2);
  });

  test('answers from the cache until the TTL passes, then asks AWS again', async () => {
    iot.on(ListTagsForResourceCommand).resolves({ tags: [{ Key: 'cdk-iot-security:registrar', Value: 'me' }] });
    let now = 1_000_000;
    const lookup = cachedCaOwnership(new IoTClient({}), 'me', { ttlMs: 60_000, now: () => now });

    await lookup(CA);
    now += 59_999;
    await lookup(CA);
    expect(iot.commandCalls(DescribeCACertificateCommand)).toHaveLength(1);

    now += 1;
    await expect(lookup(CA)).resolves.toEqual({ owned: true, verifierName: undefined });
    expect(iot.commandCalls(DescribeCACertificateCommand)).toHaveLength(2);
  });

  test('errors other than ResourceNotFound propagate and are not cached', async () => {
    iot.on(ListTagsForResourceCommand).resolves({ tags: [{ Key: 'cdk-iot-security:registrar', Value: 'me' }] });
    iot.on(DescribeCACertificateCommand).rejectsOnce(new Error('connection reset')).resolves({ certificateDescription: { certificateArn: CA_ARN } });
    const lookup = cachedCaOwnership(new IoTClient({}), 'me');

    await expect(lookup(CA)).rejects.toThrow('connection reset');
    await expect(lookup(CA)).resolves.toEqual({ owned: true, verifierName: undefined });
  });

  test('lookups of one CA at once share one read; a failed one is not kept', async () => {
    iot.on(ListTagsForResourceCommand).resolves({ tags: [{ Key: 'cdk-iot-security:registrar', Value: 'me' }] });
    iot.on(DescribeCACertificateCommand)
      .rejectsOnce(new Error('connection reset'))
      .resolves({ certificateDescription: { certificateId: CA, certificateArn: CA_ARN } });
    const lookup = cachedCaOwnership(new IoTClient({}), 'me');

    const failed = await Promise.allSettled([lookup(CA), lookup(CA), lookup(CA)]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(iot.commandCalls(DescribeCACertificateCommand)).toHaveLength(1);

    await expect(Promise.all([lookup(CA), lookup(CA)])).resolves.toEqual([{ owned: true }, { owned: true }]);
    expect(iot.commandCalls(DescribeCACertificateCommand)).toHaveLength(2);
    expect(iot.commandCalls(ListTagsForResourceCommand)).toHaveLength(1);
  });
});

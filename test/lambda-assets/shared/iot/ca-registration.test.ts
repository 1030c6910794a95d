import { DescribeCACertificateCommand, IoTClient, ListTagsForResourceCommand, ResourceNotFoundException } from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { isRegisteredBy, readCaRegistration } from '../../../../lambda-assets/shared/iot/ca-registration';

const iot = mockClient(IoTClient);
const CA = 'c'.repeat(64);
const CA_ARN = `arn:aws:iot:eu-west-1:123456789012:cacert/${CA}`;
const client = () => new IoTClient({ region: 'eu-west-1' });

afterAll(() => iot.restore());
beforeEach(() => iot.reset());

describe('readCaRegistration', () => {
  test('the description, the registration config and the ownership tags of every page', async () => {
    iot.on(DescribeCACertificateCommand).resolves({
      certificateDescription: { certificateId: CA, certificateArn: CA_ARN, status: 'ACTIVE', autoRegistrationStatus: 'ENABLE' },
      registrationConfig: { templateName: 'jitp' },
    });
    iot.on(ListTagsForResourceCommand)
      .resolvesOnce({ tags: [{ Key: 'cdk-iot-security:registrar', Value: 'me' }, { Key: 'team', Value: 'a' }], nextToken: 't' })
      .resolvesOnce({ tags: [{ Key: 'cdk-iot-security:verifier', Value: 'v1' }] });

    const ca = await readCaRegistration(client(), CA);

    expect(ca).toEqual({
      description: { certificateId: CA, certificateArn: CA_ARN, status: 'ACTIVE', autoRegistrationStatus: 'ENABLE' },
      registrationConfig: { templateName: 'jitp' },
      tags: { registrar: 'me', verifierName: 'v1' },
    });
    expect(isRegisteredBy(ca!, 'me')).toBe(true);
    expect(isRegisteredBy(ca!, 'someone-else')).toBe(false);
  });

  test('undefined for an unknown CA; no tags without an ARN; other errors propagate', async () => {
    iot.on(DescribeCACertificateCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'gone', $metadata: {} }))
      .resolvesOnce({})
      .resolvesOnce({ certificateDescription: { certificateId: CA } })
      .rejectsOnce(new Error('connection reset'));

    await expect(readCaRegistration(client(), CA)).resolves.toBeUndefined();
    await expect(readCaRegistration(client(), CA)).resolves.toBeUndefined();
    await expect(readCaRegistration(client(), CA)).resolves.toEqual({ description: { certificateId: CA }, registrationConfig: undefined, tags: {} });
    await expect(readCaRegistration(client(), CA)).rejects.toThrow('connection reset');
    expect(iot.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
  });
});

import { ResourceAlreadyExistsException, ResourceNotFoundException, ThrottlingException } from '@aws-sdk/client-iot';
import { isAlreadyExists, isAwsError, isNotFound } from '../../../../lambda-assets/shared/iot/aws-errors';
import { ControlPlaneRetryStrategy } from '../../../../lambda-assets/shared/iot/control-plane-retry';
import { createIotClient } from '../../../../lambda-assets/shared/iot/iot-client';
import { ownershipTags, readOwnershipTags, REGISTRAR_TAG, VERIFIER_TAG } from '../../../../lambda-assets/shared/iot/ownership-tags';

describe('ownership tags', () => {
  test('the registrar tag always, the verifier tag only when there is a verifier', () => {
    expect(REGISTRAR_TAG).toBe('cdk-iot-security:registrar');
    expect(VERIFIER_TAG).toBe('cdk-iot-security:verifier');
    expect(ownershipTags('stack-1', undefined)).toEqual([{ Key: REGISTRAR_TAG, Value: 'stack-1' }]);
    expect(ownershipTags('stack-1', 'v1')).toEqual([{ Key: REGISTRAR_TAG, Value: 'stack-1' }, { Key: VERIFIER_TAG, Value: 'v1' }]);
  });

  test('read back from AWS tags, others ignored', () => {
    expect(readOwnershipTags([{ Key: 'team', Value: 'x' }, ...ownershipTags('stack-1', 'v1')])).toEqual({ registrar: 'stack-1', verifierName: 'v1' });
    expect(readOwnershipTags([])).toEqual({ registrar: undefined, verifierName: undefined });
  });
});

describe('AWS error checks', () => {
  const meta = { $metadata: {} };
  test('match SDK exceptions by name', () => {
    expect(isNotFound(new ResourceNotFoundException({ message: 'x', ...meta }))).toBe(true);
    expect(isAlreadyExists(new ResourceAlreadyExistsException({ message: 'x', ...meta }))).toBe(true);
    expect(isNotFound(new ResourceAlreadyExistsException({ message: 'x', ...meta }))).toBe(false);
    expect(isAwsError(new ThrottlingException({ message: 'x', ...meta }), 'InvalidRequestException', 'ThrottlingException')).toBe(true);
  });

  test('are false for non-errors that merely carry the name', () => {
    expect(isNotFound({ name: 'ResourceNotFoundException' })).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
    expect(isNotFound(new Error('ResourceNotFoundException'))).toBe(false);
  });
});

describe('createIotClient', () => {
  const saved = process.env.IOT_MAX_ATTEMPTS;
  afterEach(() => {
    if (saved === undefined) delete process.env.IOT_MAX_ATTEMPTS;
    else process.env.IOT_MAX_ATTEMPTS = saved;
  });

  test('the control-plane retry strategy, 10 attempts by default, IOT_MAX_ATTEMPTS overrides', async () => {
    delete process.env.IOT_MAX_ATTEMPTS;
    const byDefault = createIotClient();
    expect(await byDefault.config.maxAttempts()).toBe(10);
    expect(await byDefault.config.retryStrategy()).toBeInstanceOf(ControlPlaneRetryStrategy);

    process.env.IOT_MAX_ATTEMPTS = '3';
    expect(await createIotClient().config.maxAttempts()).toBe(3);
    expect(await createIotClient(5).config.maxAttempts()).toBe(5);
  });
});

import { InvokeCommand, InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { VerifierContractError, VerifierInput } from '../../../../lambda-assets/shared/verifier/contract';
import { lambdaVerifier, verifierArnsFromEnv } from '../../../../lambda-assets/shared/verifier/invoke-verifier';

const lambda = mockClient(LambdaClient);

afterAll(() => lambda.restore());
beforeEach(() => lambda.reset());

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:acme-verifier';
const INPUT: VerifierInput = {
  certificateId: 'a'.repeat(64),
  caCertificateId: 'b'.repeat(64),
  certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  subject: { commonName: 'sensor-1' },
  serialNumber: '0a1b2c',
};

function answer(text: string, functionError?: string): Partial<InvokeCommandOutput> {
  return { StatusCode: 200, FunctionError: functionError, Payload: Buffer.from(text) as unknown as InvokeCommandOutput['Payload'] };
}

describe('verifierArnsFromEnv', () => {
  test('reads the JSON object of name -> ARN, and nothing as none', () => {
    expect(verifierArnsFromEnv({ VERIFIER_ARNS: JSON.stringify({ 'acme-verifier': ARN }) })).toEqual({ 'acme-verifier': ARN });
    expect(verifierArnsFromEnv({})).toEqual({});
    expect(verifierArnsFromEnv({ VERIFIER_ARNS: '' })).toEqual({});
  });

  test.each(['["acme-verifier"]', 'null', '"arn"'])('refuses %s', (raw) => {
    expect(() => verifierArnsFromEnv({ VERIFIER_ARNS: raw })).toThrow(/VERIFIER_ARNS must be a JSON object/);
  });
});

describe('lambdaVerifier', () => {
  test('invokes the named function synchronously with the contract input and parses its answer', async () => {
    lambda.on(InvokeCommand).resolves(answer('{"verified":true,"thingName":"sensor-1"}'));

    const output = await lambdaVerifier(new LambdaClient({ region: 'eu-west-1' }), { 'acme-verifier': ARN })('acme-verifier', INPUT);

    expect(output).toEqual({ verified: true, thingName: 'sensor-1', attributes: undefined, reason: undefined });
    const input = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(input.FunctionName).toBe(ARN);
    expect(input.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'))).toEqual(INPUT);
  });

  test('an unknown verifier name is a contract error, and nothing is invoked', async () => {
    await expect(lambdaVerifier(new LambdaClient({}), { 'acme-verifier': ARN })('other', INPUT)).rejects.toThrow(VerifierContractError);
    expect(lambda.calls()).toHaveLength(0);
  });

  test('a FunctionError is a contract error that quotes the start of the payload', async () => {
    lambda.on(InvokeCommand).resolves(answer(JSON.stringify({ errorMessage: 'x'.repeat(500) }), 'Unhandled'));

    const error = await lambdaVerifier(new LambdaClient({}), { v: ARN })('v', INPUT).catch((caught: Error) => caught);

    expect(error).toBeInstanceOf(VerifierContractError);
    expect((error as Error).message).toMatch(/the function failed \(Unhandled\)/);
    expect((error as Error).message.length).toBeLessThan(300);
  });

  test('a payload that is not JSON, or no payload, is a contract error', async () => {
    lambda.on(InvokeCommand).resolvesOnce(answer('OK')).resolvesOnce({ StatusCode: 200 });
    const verify = lambdaVerifier(new LambdaClient({}), { v: ARN });

    await expect(verify('v', INPUT)).rejects.toThrow(/the answer is not JSON/);
    await expect(verify('v', INPUT)).rejects.toThrow(/the answer is not JSON/);
  });
});

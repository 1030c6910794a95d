import { InvokeCommand, InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { VerifierContractError, VerifierInput, VerifierTimeoutError } from '../../../../lambda-assets/shared/verifier/contract';
import { invokeVerifier, lambdaVerifier, verifierArnsFromEnv } from '../../../../lambda-assets/shared/verifier/invoke-verifier';

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

/** The options the handler passed to send() beside the command (the stub records both). */
function sendOptions(call: { args: readonly unknown[] }): { abortSignal: AbortSignal } | undefined {
  return call.args[1] as { abortSignal: AbortSignal } | undefined;
}

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
    // No deadline: nothing but the command is handed to the SDK.
    expect(sendOptions(lambda.commandCalls(InvokeCommand)[0])).toBeUndefined();
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

describe('invokeVerifier with a deadline', () => {
  const TARGET = { verifierName: 'acme-verifier', functionArn: ARN, timeoutMs: 3500 };
  const FLEET_INPUT: VerifierInput = {
    certificateId: 'a'.repeat(64),
    certificatePem: INPUT.certificatePem,
    subject: {},
    serialNumber: '01',
    provisioning: { templateArn: 'arn:aws:iot:eu-west-1:123456789012:provisioningtemplate/fleet', claimCertificateId: 'c'.repeat(64), clientId: 'd1', parameters: {} },
  };

  afterEach(() => jest.useRealTimers());

  test('an answer in time is parsed; the SDK got an abort signal that never fired, and no timer is left', async () => {
    jest.useFakeTimers();
    lambda.on(InvokeCommand).resolves(answer('{"verified":true,"parameterOverrides":{"Region":"eu"}}'));

    await expect(invokeVerifier(new LambdaClient({}), TARGET, FLEET_INPUT)).resolves.toMatchObject({ verified: true, parameterOverrides: { Region: 'eu' } });

    const call = lambda.commandCalls(InvokeCommand)[0];
    expect(JSON.parse(Buffer.from(call.args[0].input.Payload as Uint8Array).toString('utf8'))).toEqual(FLEET_INPUT);
    const signal = sendOptions(call)!.abortSignal;
    expect(signal.aborted).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('a verifier that never answers: a VerifierTimeoutError at the deadline, not before, and the invocation is aborted', async () => {
    jest.useFakeTimers();
    lambda.on(InvokeCommand).callsFake(() => new Promise(() => undefined));

    let settled: unknown;
    const pending = invokeVerifier(new LambdaClient({}), TARGET, FLEET_INPUT).then(() => 'resolved', (error: unknown) => error);
    void pending.then((value) => { settled = value; });

    await jest.advanceTimersByTimeAsync(3499);
    expect(settled).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(settled).toBeInstanceOf(VerifierTimeoutError);
    expect((settled as Error).message).toBe("verifier 'acme-verifier' gave no answer within 3500 ms");
    expect(sendOptions(lambda.commandCalls(InvokeCommand)[0])!.abortSignal.aborted).toBe(true);
  });

  test('an SDK error before the deadline is passed on as it is', async () => {
    lambda.on(InvokeCommand).rejects(new Error('AccessDeniedException'));
    await expect(invokeVerifier(new LambdaClient({}), { ...TARGET, timeoutMs: 1000 }, FLEET_INPUT)).rejects.toThrow('AccessDeniedException');
  });

  test('contract checks apply as without a deadline', async () => {
    lambda.on(InvokeCommand).resolvesOnce(answer('{"verified":"yes"}')).resolvesOnce(answer('{}', 'Unhandled'));
    await expect(invokeVerifier(new LambdaClient({}), TARGET, FLEET_INPUT)).rejects.toThrow(/"verified" must be a boolean/);
    await expect(invokeVerifier(new LambdaClient({}), TARGET, FLEET_INPUT)).rejects.toThrow(/the function failed \(Unhandled\)/);
  });
});

import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { captureLogs, FleetCertificate, fleetCertificate, hookEvent, HookHandler, loadHook, VERIFIER_ARN, verifierAnswers } from './support';

/** Real timers and a short VERIFIER_TIMEOUT_MS: the deadline holds on the wall clock. */
const lambda = mockClient(LambdaClient);
const TIMEOUT_MS = 150;
let handler: HookHandler;
let device: FleetCertificate;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  handler = loadHook({ REQUIRED_PARAMETERS: '["SerialNumber"]', VERIFIER_ARN, VERIFIER_TIMEOUT_MS: String(TIMEOUT_MS) });
  device = await fleetCertificate();
});
afterAll(() => lambda.restore());
beforeEach(() => {
  lambda.reset();
  logs = captureLogs();
});
afterEach(() => logs.restore());

test('a verifier that never answers: the hook denies after VERIFIER_TIMEOUT_MS, not after AWS IoT gave up', async () => {
  lambda.on(InvokeCommand).callsFake(() => new Promise(() => undefined));

  const started = Date.now();
  const answer = await handler(hookEvent(device, { SerialNumber: 'acme-0042' }));
  const elapsed = Date.now() - started;

  expect(answer).toEqual({ allowProvisioning: false });
  expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
  expect(elapsed).toBeLessThan(1000);
  expect(logs.lines()[0].reason).toMatch(`gave no answer within ${TIMEOUT_MS} ms`);
});

test('a verifier that answers inside the budget is heard', async () => {
  lambda.on(InvokeCommand).callsFake(() => new Promise((resolve) => setTimeout(() => resolve(verifierAnswers({ verified: true })), 20)));

  await expect(handler(hookEvent(device, { SerialNumber: 'acme-0042' }))).resolves.toEqual({ allowProvisioning: true, parameterOverrides: {} });
});

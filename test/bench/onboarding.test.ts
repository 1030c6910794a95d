/**
 * The onboarding benchmark's harness with a handful of devices, AWS's default rate limits on: the end
 * state it must reach, clean and with every fault switch on (activator crashes, control-plane 500s,
 * duplicate events, AWS IoT restarted mid-burst). Not its timing: that is the benchmark's to report.
 */
import { rmSync } from 'node:fs';
import { DEFAULT_FAULTS, middleHalfRate, runScenario } from '../../bench/onboarding/harness';
import { synthesizeJitrDemo } from '../demo/support/jitr-demo-assembly';

jest.setTimeout(300_000);

const DEVICES = 20;
let cloudAssembly: string;

beforeAll(() => {
  cloudAssembly = synthesizeJitrDemo();
});

afterAll(() => rmSync(cloudAssembly, { recursive: true, force: true }));

test(`clean: ${DEVICES} devices in one burst are each ACTIVE with exactly one thing, nothing lost or duplicated`, async () => {
  const result = await runScenario({ name: 'clean', devices: DEVICES, cloudAssembly, burstTimeoutSeconds: 180, drainTimeoutSeconds: 120 });

  expect(result.failures).toEqual([]);
  expect(result.endState).toEqual({
    devices: DEVICES, activeWithOneThing: DEVICES, lost: 0, notActive: 0, extraCertificates: 0, extraThings: 0, duplicated: 0, problems: [],
  });
  expect(result.exact).toBe(true);
  expect(result.accepted).toBe(DEVICES);
  expect(result.acceptLatenciesMs).toHaveLength(DEVICES);
  expect(result.deadLetters).toBe(0);
  expect(result.drainSeconds).toBeDefined();
  // Every device's first connect announced its registration; the ceiling is AWS's 10 TPS calls.
  expect(result.registrationEvents).toBeGreaterThanOrEqual(DEVICES);
  expect(result.ceiling.devicesPerSecond).toBe(10);
  expect(result.ceiling.limitedBy).toEqual(['DescribeCertificate', 'ListThingPrincipals', 'UpdateCertificate']);
  expect(result.admittedCalls.UpdateCertificate).toBeGreaterThanOrEqual(DEVICES);
  expect(result.activator.activated).toBeGreaterThanOrEqual(DEVICES);
  expect(result.restarts).toBe(0);
  expect(result.rss.peakBytes).toBeGreaterThanOrEqual(result.rss.startBytes);
  // The activator's instances report their heap: a running V8 isolate uses a few MiB at least.
  expect(result.activatorHeap.peakBytes).toBeGreaterThan(2 ** 20);
  expect(result.activatorPeakInstanceHeapBytes).toBeGreaterThan(2 ** 20);
});

test(`with faults: the same end state for ${DEVICES} devices`, async () => {
  const result = await runScenario({
    name: 'faults',
    devices: DEVICES,
    cloudAssembly,
    // More faults than the benchmark's, for a few devices to meet them; queue time 60x, so a crashed batch is back in 6 s.
    faults: { ...DEFAULT_FAULTS, activatorCrashProbabilityPerCall: 0.05, controlPlaneInternalFailureRate: 0.05, restartDowntimeMs: 1000 },
    queueTimeSpeedup: 60,
    burstTimeoutSeconds: 180,
    drainTimeoutSeconds: 600,
  });

  expect(result.failures).toEqual([]);
  expect(result.endState.problems).toEqual([]);
  expect(result.exact).toBe(true);
  expect(result.accepted).toBe(DEVICES);
  expect(result.restarts).toBe(1);
  // Each first connect was announced twice.
  expect(result.registrationEvents).toBeGreaterThanOrEqual(2 * DEVICES);
  expect(result.injectedCrashes + result.injectedInternalFailures.beforeEffect + result.injectedInternalFailures.afterEffect).toBeGreaterThan(0);
});

test('the middle-half rate counts the devices activated between the quarter and three-quarter marks', () => {
  // 8 activations: one a second from 0 s, then a slow tail.
  expect(middleHalfRate([0, 1000, 2000, 3000, 4000, 5000, 6000, 60000])).toBeCloseTo(1, 5);
  expect(middleHalfRate([5000, 0, 4000, 2000, 6000, 3000, 60000, 1000])).toBeCloseTo(1, 5);
  expect(middleHalfRate([0, 0, 0])).toBeNaN();
});

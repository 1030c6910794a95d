/**
 * One onboarding burst on the synthesized JITR demo stack, run by the local stack runner with AWS's
 * default control-plane rate limits: a factory CA registered through the stack's POST /caRegister,
 * N device certificates issued locally, N mqtt.js devices connecting at once and retrying with
 * jittered back-off until accepted; optionally with the local cloud's fault switches on and a restart
 * of the whole local cloud mid-burst. Answers what it measured and the registry's end state.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetRegistrationCodeCommand, IoTClient } from '@aws-sdk/client-iot';
import { activationCeiling, type Ceiling } from './ceiling';
import { issueDevices, type BenchDevice, type DeviceOutcome } from './devices';
import { isExact, judgeEndState, type EndState } from './end-state';
import { bootFleet } from './fleet';
import { MemorySampler, type MemorySummary } from './memory-sampler';
import { ScaledClock } from './scaled-clock';
import { signedRequest } from '../../cli/src/aws/signed-request';
import { JITR_STACK } from '../../demo/jitr/stack-flow';
import { createCaCertificate, createVerificationCertificate, type GeneratedCa } from '../../lambda-assets/shared/pki';
import { startStackRunner, type RunningStacks } from '../../local/runner/stack-runner';

/** The fault switches a scenario turns on (local/faults.ts), and the restart. */
export interface FaultPlan {
  /** Chance that one outbound call of the device activator kills its Lambda instance. */
  readonly activatorCrashProbabilityPerCall: number;
  /** Share of control-plane requests answered 500 InternalFailureException (half after taking effect). */
  readonly controlPlaneInternalFailureRate: number;
  /** Every registration event published twice. */
  readonly duplicateRegistrationEvents: boolean;
  /** Close and start the local cloud again (same state directory and MQTT port) once this share of the devices is ACTIVE. */
  readonly restartAtActiveShare?: number;
  /** How long the cloud stays down then. */
  readonly restartDowntimeMs: number;
}

/** The faults scenario's switches. */
export const DEFAULT_FAULTS: FaultPlan = {
  activatorCrashProbabilityPerCall: 0.005,
  controlPlaneInternalFailureRate: 0.02,
  duplicateRegistrationEvents: true,
  restartAtActiveShare: 0.5,
  restartDowntimeMs: 2000,
};

export interface ScenarioOptions {
  readonly name: string;
  readonly devices: number;
  /** The synthesized JITR demo (cdk.out). */
  readonly cloudAssembly: string;
  readonly faults?: FaultPlan;
  /** The devices' first back-off ceiling; it doubles per attempt up to 30 s. @default 1000 (the CLI's) */
  readonly baseDelayMs?: number;
  /** Devices still not accepted after this long give up. */
  readonly burstTimeoutSeconds: number;
  /** After the last device, how long the activator's queue may take to empty. */
  readonly drainTimeoutSeconds: number;
  readonly progress?: (line: string) => void;
  /** @default 10000 */
  readonly progressIntervalMs?: number;
  /**
   * Runs SQS time this many times faster (visibility timeouts, the batching window): for the smoke test, so a
   * crashed batch comes back in seconds. The benchmark leaves it at 1. @default 1
   */
  readonly queueTimeSpeedup?: number;
  /** Every line the stack's functions write goes to this file too (`<function> <line>`), for a closer look. */
  readonly functionLogFile?: string;
}

/** The activator's decisions, from its log lines. */
export interface ActivatorTally {
  readonly activated: number;
  /** Duplicate or late events for certificates already ACTIVE, by reason. */
  readonly ignored: Readonly<Record<string, number>>;
  /** Records reported as batch item failures (retried later), by error name. */
  readonly failed: Readonly<Record<string, number>>;
}

export interface ScenarioResult {
  readonly name: string;
  readonly devices: number;
  readonly faults?: FaultPlan;
  readonly ceiling: Ceiling;
  readonly accepted: number;
  /** From the burst's start to the last device accepted. */
  readonly burstSeconds: number;
  /** From the burst's start to the last certificate made ACTIVE. */
  readonly activationSeconds: number;
  /** Devices ACTIVE / activationSeconds. */
  readonly activatedPerSecond: number;
  /** Devices activated a second between the moments a quarter and three quarters of them were ACTIVE (NaN for fewer than 8). */
  readonly middleHalfActivatedPerSecond: number;
  /** First connect attempt to accepted CONNACK, per device, sorted. */
  readonly acceptLatenciesMs: readonly number[];
  readonly meanAttempts: number;
  readonly maxAttempts: number;
  /** ThrottlingException refusals per operation (each one a retry by the SDK). */
  readonly throttledCalls: Readonly<Record<string, number>>;
  /** Calls let through per operation. */
  readonly admittedCalls: Readonly<Record<string, number>>;
  readonly registrationEvents: number;
  readonly injectedInternalFailures: { readonly beforeEffect: number; readonly afterEffect: number };
  readonly injectedCrashes: number;
  readonly crashedInvocations: number;
  readonly restarts: number;
  readonly restartSeconds: readonly number[];
  readonly deadLetters: number;
  /** After the last device was accepted, until the queue was empty (undefined: not within drainTimeoutSeconds). */
  readonly drainSeconds?: number;
  readonly activator: ActivatorTally;
  /** The local cloud's process (its Lambda worker threads included). */
  readonly rss: MemorySummary;
  /** The activator's V8 heap, summed over its live instances, as they report it after each invocation. */
  readonly activatorHeap: MemorySummary;
  /** The largest heap any one activator instance reported. */
  readonly activatorPeakInstanceHeapBytes: number;
  readonly endState: EndState;
  readonly exact: boolean;
  readonly failures: readonly string[];
}

const ACTIVATOR_LOGICAL_ID = /^JitrActivatorHandlerFunction/;

/** Counters of the AWS IoT part, summed over its restarts, and of the rest of the stacks. */
class Totals {
  readonly throttled: Record<string, number> = {};
  readonly admitted: Record<string, number> = {};
  registrationEvents = 0;
  readonly injectedInternalFailures = { beforeEffect: 0, afterEffect: 0 };
  injectedCrashes = 0;
  crashedInvocations = 0;
  deadLetters = 0;

  /** Before the cloud restarts (its counters start again), and at the end. */
  addCloud(runner: RunningStacks): void {
    const counters = runner.cloud.counters();
    addInto(this.throttled, counters.throttledCalls);
    addInto(this.admitted, counters.admittedCalls);
    this.registrationEvents += counters.registrationEvents;
    this.injectedInternalFailures.beforeEffect += counters.injectedInternalFailures.beforeEffect;
    this.injectedInternalFailures.afterEffect += counters.injectedInternalFailures.afterEffect;
  }

  /** At the end: the functions and queues live through cloud restarts. */
  addStacks(runner: RunningStacks): void {
    const crashes = runner.functions.crashCounts();
    this.injectedCrashes = sum(crashes.injected);
    this.crashedInvocations = sum(crashes.crashed);
    const dlq = deadLetterQueue(runner);
    this.deadLetters = dlq.approximateNumberOfMessages() + dlq.approximateNumberOfMessagesNotVisible();
  }
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const progress = options.progress ?? (() => undefined);
  const stateDirectory = mkdtempSync(join(tmpdir(), 'bench-onboarding-'));
  const tally = { activated: 0, ignored: {} as Record<string, number>, failed: {} as Record<string, number> };
  const failures: string[] = [];
  const faults = options.faults;
  let activatorName = '';
  const speedup = options.queueTimeSpeedup ?? 1;
  const functionLog = options.functionLogFile ? createWriteStream(options.functionLogFile) : undefined;
  const runner = await startStackRunner({
    cloudAssemblies: [options.cloudAssembly],
    stateDirectory,
    rateLimits: true,
    clock: speedup === 1 ? undefined : new ScaledClock(speedup),
    faults: faults && {
      controlPlaneInternalFailureRate: faults.controlPlaneInternalFailureRate,
      duplicateRegistrationEvents: faults.duplicateRegistrationEvents,
    },
    functionFaults: faults && {
      crashProbabilityPerCall: faults.activatorCrashProbabilityPerCall,
      appliesTo: (_name, logicalId) => ACTIVATOR_LOGICAL_ID.test(logicalId),
    },
    onFunctionLog: (functionName, line) => {
      if (functionName === activatorName) tallyActivatorLine(tally, line, failures);
      if (functionLog !== undefined) functionLog.write(`${functionName} ${line}\n`);
    },
  });
  const totals = new Totals();
  try {
    activatorName = activatorFunctionName(runner);
    const mqttPort = runner.cloud.mqtt.port;
    const ceiling = activationCeiling((operation) => runner.cloud.model.rateLimitOf(operation));
    const factory = await registerFactoryCa(runner);
    const runId = Date.now().toString(36);
    const devices = await issueDevices(factory.ca.authority, factory.ca.certificatePem, options.devices, runId);
    const bootedFleet = await bootFleet({
      devices,
      host: '127.0.0.1',
      port: mqttPort,
      rootCaPem: runner.cloud.serverIdentity.caCertificatePem,
      baseDelayMs: options.baseDelayMs ?? 1000,
    });
    progress(`${options.name}: ${devices.length} device certificates issued (ECDSA P-256) and the devices booted; ceiling ${ceiling.devicesPerSecond.toFixed(1)} devices/s `
      + `(${ceiling.limitedBy.join(', ')}); connecting all at once`);

    const rssSampler = new MemorySampler();
    const activatorMemory = () => runner.functions.memoryUsage()[activatorName];
    const activatorHeapSampler = new MemorySampler(() => activatorMemory()?.heapUsedBytes ?? 0, 1000);
    // The local cloud serves the devices' TLS, the control plane and the queues on this one thread: its delay is every call's.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const burstStart = Date.now();
    const fleet = bootedFleet.connect();
    const deadline = setTimeout(() => fleet.giveUp(), options.burstTimeoutSeconds * 1000);

    // Watch the burst: progress lines, and the restart when its moment comes.
    const restartSeconds: number[] = [];
    let restarting: Promise<void> | undefined;
    let done = false;
    void fleet.outcomes.finally(() => { done = true; }).catch(() => undefined);
    let lastProgress = 0;
    while (!done) {
      await sleep(1000);
      if (restarting) continue;
      const active = countActive(runner, devices);
      if (faults?.restartAtActiveShare !== undefined && restartSeconds.length === 0 && active >= faults.restartAtActiveShare * devices.length) {
        const began = Date.now();
        restartSeconds.push(0);
        progress(`${options.name}: ${active} devices ACTIVE: closing AWS IoT (control plane and MQTT gateway), `
          + `starting it again on the same state directory in ${faults.restartDowntimeMs} ms`);
        restarting = (async () => {
          totals.addCloud(runner);
          await runner.restartCloud(faults.restartDowntimeMs);
          if (!runner.cloud.restoredRegistry) failures.push('the restarted local cloud did not find its registry');
          restartSeconds[0] = (Date.now() - began) / 1000;
          progress(`${options.name}: local cloud back after ${restartSeconds[0].toFixed(1)} s with ${countActive(runner, devices)} devices ACTIVE`);
        })().finally(() => { restarting = undefined; });
        continue;
      }
      if (Date.now() - lastProgress >= (options.progressIntervalMs ?? 10_000)) {
        lastProgress = Date.now();
        const queue = bufferQueue(runner);
        progress(`${options.name}: ${((Date.now() - burstStart) / 1000).toFixed(0)} s: ${active} ACTIVE, ${fleet.accepted()} accepted; queue `
          + `${queue.approximateNumberOfMessages()} visible + ${queue.approximateNumberOfMessagesNotVisible()} in flight; `
          + `${sum(runner.cloud.counters().throttledCalls)} throttled calls; RSS ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB; `
          + `event-loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms`);
        loopDelay.reset();
      }
    }
    await restarting;
    clearTimeout(deadline);
    const deviceOutcomes: readonly DeviceOutcome[] = await fleet.outcomes;
    const lastAcceptedAt = fleet.lastAcceptedAt() ?? burstStart;
    const gaveUp = deviceOutcomes.filter((outcome) => !outcome.accepted);
    if (gaveUp.length > 0) failures.push(`${gaveUp.length} devices were never accepted (last error of one: ${gaveUp[0].lastError})`);

    progress(`${options.name}: all devices done after ${((Date.now() - burstStart) / 1000).toFixed(1)} s; waiting for the activator's queue to empty`);
    let drainSeconds: number | undefined;
    try {
      // The pollers count the timeout in queue time.
      await runner.settled(options.drainTimeoutSeconds * 1000 * speedup);
      drainSeconds = (Date.now() - lastAcceptedAt) / 1000;
    } catch (error) {
      failures.push(`the activator's queue did not empty: ${(error as Error).message}`);
    }
    const rss = rssSampler.stop();
    const activatorHeap = activatorHeapSampler.stop();
    loopDelay.disable();
    totals.addCloud(runner);
    totals.addStacks(runner);

    const snapshot = runner.cloud.model.snapshot();
    const endState = judgeEndState(snapshot, devices, factory.caCertificateId);
    const activationTimes = activationTimesMs(runner, devices);
    const lastActivation = activationTimes.length > 0 ? Math.max(...activationTimes) : burstStart;
    const activationSeconds = (lastActivation - burstStart) / 1000;
    const latencies = deviceOutcomes.filter((outcome) => outcome.accepted).map((outcome) => outcome.elapsedMs).sort((a, b) => a - b);
    const attempts = deviceOutcomes.map((outcome) => outcome.attempts);
    return {
      name: options.name,
      devices: devices.length,
      faults,
      ceiling,
      accepted: latencies.length,
      burstSeconds: (lastAcceptedAt - burstStart) / 1000,
      activationSeconds,
      activatedPerSecond: activationSeconds > 0 ? activationTimes.length / activationSeconds : 0,
      middleHalfActivatedPerSecond: middleHalfRate(activationTimes),
      acceptLatenciesMs: latencies,
      meanAttempts: attempts.reduce((a, b) => a + b, 0) / Math.max(1, attempts.length),
      maxAttempts: Math.max(0, ...attempts),
      throttledCalls: totals.throttled,
      admittedCalls: totals.admitted,
      registrationEvents: totals.registrationEvents,
      injectedInternalFailures: totals.injectedInternalFailures,
      injectedCrashes: totals.injectedCrashes,
      crashedInvocations: totals.crashedInvocations,
      restarts: restartSeconds.length,
      restartSeconds,
      deadLetters: totals.deadLetters,
      drainSeconds,
      activator: tally,
      rss,
      activatorHeap,
      activatorPeakInstanceHeapBytes: activatorMemory()?.peakInstanceHeapUsedBytes ?? 0,
      endState,
      exact: isExact(endState),
      failures,
    };
  } finally {
    await runner.close();
    functionLog?.end();
    rmSync(stateDirectory, { recursive: true, force: true });
  }
}

/** A factory CA (its key stays here) registered through the stack's POST /caRegister, signed with SigV4, with the allowList verifier. */
async function registerFactoryCa(runner: RunningStacks): Promise<{ ca: GeneratedCa; caCertificateId: string }> {
  const ca = await createCaCertificate({ subject: { commonName: 'Bench Factory CA', organizationName: 'cdk-iot-security' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
  const iot = new IoTClient({ region: runner.region, credentials: runner.adminCredentials, endpoint: runner.endpoints.IOT });
  try {
    const { registrationCode } = await iot.send(new GetRegistrationCodeCommand({}));
    const verification = await createVerificationCertificate(ca.authority, registrationCode!);
    const outputs = jitrOutputs(runner);
    const answer = await signedRequest(runner.localUrl(outputs.CaRegisterUrl), {
      method: 'POST',
      region: runner.region,
      credentials: runner.adminCredentials,
      body: JSON.stringify({ caCertificatePem: ca.certificatePem, verificationCertificatePem: verification.certificatePem, verifierName: 'allowList' }),
    });
    if (answer.status !== 200) throw new Error(`POST /caRegister answered ${answer.status}: ${answer.text}`);
    return { ca, caCertificateId: answer.json.caCertificateId };
  } finally {
    iot.destroy();
  }
}

function jitrOutputs(runner: RunningStacks): Record<string, string> {
  const stack = runner.stacks.find((candidate) => candidate.stackName === JITR_STACK);
  if (!stack) throw new Error(`the cloud assembly has no stack ${JITR_STACK}`);
  return stack.outputs;
}

function activatorFunctionName(runner: RunningStacks): string {
  const activator = runner.resourcesOfType('AWS::Lambda::Function').find((fn) => ACTIVATOR_LOGICAL_ID.test(fn.logicalId));
  if (!activator) throw new Error(`${JITR_STACK} has no device activator function`);
  return activator.physicalId;
}

function deadLetterQueue(runner: RunningStacks) {
  const url = jitrOutputs(runner).DeadLetterQueueUrl;
  const queue = runner.queues.byUrl(url);
  if (!queue) throw new Error(`no queue at ${url}`);
  return queue;
}

/** The activator's buffer: the queue that redrives to the dead-letter queue. */
function bufferQueue(runner: RunningStacks) {
  const dlq = deadLetterQueue(runner);
  const queue = runner.queues.list().find((candidate) => candidate.deadLetter?.targetArn === dlq.arn);
  if (!queue) throw new Error('no queue redrives to the dead-letter queue');
  return queue;
}

/** Every second, on the local cloud's thread: copying each record (model.certificate) took a tenth of it in a 2,000-device burst. */
function countActive(runner: RunningStacks, devices: readonly BenchDevice[]): number {
  return devices.filter((device) => runner.cloud.model.certificateStatus(device.certificateId) === 'ACTIVE').length;
}

/**
 * The activation rate once the burst is under way and before its tail: between the moments a quarter and three
 * quarters of the devices were ACTIVE. Next to the rate from the burst's start it shows where time goes.
 */
export function middleHalfRate(timesMs: readonly number[]): number {
  if (timesMs.length < 8) return NaN;
  const sorted = [...timesMs].sort((a, b) => a - b);
  const first = Math.floor(sorted.length / 4);
  const last = Math.floor((sorted.length * 3) / 4);
  const seconds = (sorted[last] - sorted[first]) / 1000;
  return seconds > 0 ? (last - first) / seconds : NaN;
}

/** When each ACTIVE device certificate was last changed: the UpdateCertificate that activated it. */
function activationTimesMs(runner: RunningStacks, devices: readonly BenchDevice[]): number[] {
  return devices.flatMap((device) => {
    const certificate = runner.cloud.model.certificate(device.certificateId);
    return certificate?.status === 'ACTIVE' ? [certificate.lastModifiedDate.getTime()] : [];
  });
}

/** Counts one activator log line: `activation activated|ignored` (with its reason) or `activation failed` (with the error). */
function tallyActivatorLine(
  tally: { activated: number; ignored: Record<string, number>; failed: Record<string, number> }, line: string, failures: string[],
): void {
  if (!line.startsWith('{')) return;
  let entry: { message?: string; reason?: string; errorName?: string; errorMessage?: string };
  try {
    entry = JSON.parse(line);
  } catch {
    return;
  }
  if (entry.message === 'activation activated') tally.activated += 1;
  else if (entry.message === 'activation ignored') increment(tally.ignored, entry.reason ?? 'no reason');
  else if (entry.message === 'activation rejected') failures.push(`the activator rejected a device: ${entry.reason}`);
  else if (entry.message?.startsWith('activation failed')) increment(tally.failed, entry.errorName ?? 'Error');
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function addInto(total: Record<string, number>, more: Readonly<Record<string, number>>): void {
  for (const [key, value] of Object.entries(more)) total[key] = (total[key] ?? 0) + value;
}

export function sum(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The p-th percentile (0..100) of sorted values, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** What a scenario's result prints: figures with their targets, a title and notes. */
import { ACTIVATOR_CALLS_PER_DEVICE } from './ceiling';
import { percentile, sum, type ScenarioResult } from './harness';
import { memoryProfileMiB } from './memory-sampler';
import type { Figure } from '../report';

/** The clean run must reach this share of the ceiling the rate limits set. */
export const CEILING_SHARE_TARGET = 0.9;

const MIB = 2 ** 20;

export function describeScenario(result: ScenarioResult): string {
  const what = result.faults
    ? 'with faults: activator crashes, control-plane 500s, duplicate events, AWS IoT restarted'
    : 'clean';
  return `Onboarding ${result.devices} JITR devices in one burst, AWS default rate limits, ${what}`;
}

export function scenarioFigures(result: ScenarioResult): Figure[] {
  const name = result.name;
  const metric = (figure: string) => `onboarding_${name}_${figure}`;
  const exactly = (count: number, description = `= ${count}`) => ({ minimum: count, maximum: count, description });
  const ratio = result.activatedPerSecond / result.ceiling.devicesPerSecond;
  const figures: Figure[] = [
    { metric: metric('activated_per_second'), value: result.activatedPerSecond, unit: 'devices/s', label: 'devices activated per second (burst start to last activation)' },
    {
      metric: metric('middle_half_activated_per_second'),
      value: result.middleHalfActivatedPerSecond,
      unit: 'devices/s',
      label: 'devices activated per second from 25% to 75% ACTIVE',
    },
    { metric: metric('ceiling_per_second'), value: result.ceiling.devicesPerSecond, unit: 'devices/s', label: `ceiling set by the rate limits (${result.ceiling.limitedBy.join(', ')})` },
    {
      metric: metric('ratio_to_ceiling'),
      value: ratio,
      unit: 'ratio',
      label: 'measured rate / ceiling',
      target: result.faults ? undefined : { minimum: CEILING_SHARE_TARGET, description: `>= ${CEILING_SHARE_TARGET}` },
    },
    { metric: metric('accept_latency_p50_seconds'), value: percentile(result.acceptLatenciesMs, 50) / 1000, unit: 's', label: 'first connect attempt to accepted connect, p50' },
    { metric: metric('accept_latency_p99_seconds'), value: percentile(result.acceptLatenciesMs, 99) / 1000, unit: 's', label: 'first connect attempt to accepted connect, p99' },
    { metric: metric('connect_attempts_mean'), value: result.meanAttempts, unit: 'attempts', label: 'connect attempts per device, mean' },
    { metric: metric('registration_events'), value: result.registrationEvents, unit: 'events', label: 'registration events published (one per closed connect)' },
    { metric: metric('throttling_retries'), value: sum(result.throttledCalls), unit: 'calls', label: 'ThrottlingException answers, each retried by the SDK' },
    { metric: metric('dead_letter_messages'), value: result.deadLetters, unit: 'messages', label: 'messages that reached the dead-letter queue' },
    {
      metric: metric('queue_drain_seconds'),
      value: result.drainSeconds ?? NaN,
      unit: 's',
      label: 'last device accepted to activator queue empty',
    },
    { metric: metric('rss_start_mib'), value: result.rss.startBytes / MIB, unit: 'MiB', label: 'process RSS when the burst started' },
    { metric: metric('rss_peak_mib'), value: result.rss.peakBytes / MIB, unit: 'MiB', label: 'process RSS, peak during the burst' },
    { metric: metric('rss_end_mib'), value: result.rss.endBytes / MIB, unit: 'MiB', label: 'process RSS when the queue was empty' },
    {
      metric: metric('activator_heap_peak_mib'),
      value: result.activatorHeap.peakBytes / MIB,
      unit: 'MiB',
      label: 'activator heap, all instances, peak during the burst',
    },
    { metric: metric('activator_heap_end_mib'), value: result.activatorHeap.endBytes / MIB, unit: 'MiB', label: 'activator heap, all instances, when the queue was empty' },
    {
      metric: metric('activator_instance_heap_peak_mib'),
      value: result.activatorPeakInstanceHeapBytes / MIB,
      unit: 'MiB',
      label: 'activator heap, largest one instance reported',
    },
    {
      metric: metric('devices_active_one_thing'),
      value: result.endState.activeWithOneThing,
      unit: 'devices',
      label: 'devices ACTIVE with exactly one thing and one policy',
      target: exactly(result.devices),
    },
    { metric: metric('devices_lost'), value: result.endState.lost + result.endState.notActive, unit: 'devices', label: 'devices lost (not registered or not ACTIVE)', target: exactly(0) },
    {
      metric: metric('devices_duplicated'),
      value: result.endState.duplicated + result.endState.extraThings + result.endState.extraCertificates,
      unit: 'resources',
      label: 'duplicates (extra things, certificates, attachments)',
      target: exactly(0),
    },
  ];
  if (result.faults) {
    figures.push(
      { metric: metric('injected_activator_crashes'), value: result.injectedCrashes, unit: 'crashes', label: 'activator instances crashed by the fault switch' },
      {
        metric: metric('injected_internal_failures'),
        value: result.injectedInternalFailures.beforeEffect + result.injectedInternalFailures.afterEffect,
        unit: 'responses',
        label: 'control-plane 500s injected (before or after effect)',
      },
      { metric: metric('restarts'), value: result.restarts, unit: 'restarts', label: 'AWS IoT restarts mid-burst (registry kept)', target: exactly(result.faults.restartAtActiveShare === undefined ? 0 : 1) },
    );
  }
  return figures;
}

export function scenarioNotes(result: ScenarioResult): string[] {
  const perDevice = (operation: string) => ((result.admittedCalls[operation] ?? 0) / result.devices).toFixed(2);
  const notes = [
    `ceiling: the activator makes ${Object.keys(ACTIVATOR_CALLS_PER_DEVICE).join(', ')} once per device; per-operation ceilings (devices/s): `
      + Object.entries(result.ceiling.perOperation).map(([operation, rate]) => `${operation} ${rate}`).join(', '),
    `calls made per device: ${Object.keys(ACTIVATOR_CALLS_PER_DEVICE).map((operation) => `${operation} ${perDevice(operation)}`).join(', ')}`,
    `throttled calls by operation: ${formatCounts(result.throttledCalls)}`,
    `${result.accepted}/${result.devices} devices accepted; the last after ${result.burstSeconds.toFixed(1)} s; attempts mean ${result.meanAttempts.toFixed(1)}, max ${result.maxAttempts}; `
      + `accept latency max ${((result.acceptLatenciesMs[result.acceptLatenciesMs.length - 1] ?? NaN) / 1000).toFixed(1)} s`,
    `activator decisions: ${result.activator.activated} activated; ignored ${formatCounts(result.activator.ignored)}; retried ${formatCounts(result.activator.failed)}`,
    `RSS over the run (MiB, 9 evenly spaced samples): ${memoryProfileMiB(result.rss.samples).join(' ')}`,
    `activator heap over the run (MiB, all instances, 9 evenly spaced samples): ${memoryProfileMiB(result.activatorHeap.samples).join(' ')}`,
  ];
  if (result.faults) {
    const faults = result.faults;
    notes.push(
      `faults: activator crash chance ${faults.activatorCrashProbabilityPerCall} per outbound call (${result.crashedInvocations} invocations crashed), `
        + `control-plane 500 rate ${faults.controlPlaneInternalFailureRate} (${result.injectedInternalFailures.beforeEffect} before effect, `
        + `${result.injectedInternalFailures.afterEffect} after), registration events published twice: ${faults.duplicateRegistrationEvents}, `
        + `restart at ${((faults.restartAtActiveShare ?? 0) * 100).toFixed(0)}% ACTIVE (down ${result.restartSeconds.map((s) => `${s.toFixed(1)} s`).join(', ') || 'never'})`,
    );
  }
  for (const problem of [...result.failures, ...result.endState.problems]) notes.push(`problem: ${problem}`);
  return notes;
}

function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([key, count]) => `${key} ${count}`).join(', ');
}

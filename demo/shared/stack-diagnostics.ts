/**
 * What went on inside a running stack, for a flow that failed to say why in one sentence: the
 * topic rules' decisions, the errors the functions logged, and what sits in dead-letter queues.
 * It reads only what the runner reports (its log and the functions' own log lines).
 */
import type { RunningStacks } from '../../local/runner/stack-runner';

const KEPT_LINES = 50;

export class StackDiagnostics {
  private readonly ruleEvents: Record<string, unknown>[] = [];
  /** What the MQTT gateway decided at connect that kept a device out: failed JITP runs and refusals. */
  private readonly admissionFailures: string[] = [];
  private readonly functionErrors: string[] = [];

  /** Pass as the runner's `log`. */
  readonly log = (entry: Record<string, unknown>): void => {
    if (typeof entry.event === 'string' && entry.event.startsWith('rule-')) this.keep(this.ruleEvents, entry);
    if (entry.event === 'jitp' && entry.provisioned === false) {
      this.keep(this.admissionFailures, `JITP of certificate ${String(entry.certificateId).slice(0, 12)}... failed: ${entry.reason}`);
    }
    if (entry.event === 'refused') this.keep(this.admissionFailures, `connect of ${entry.clientId} refused: ${entry.reason}`);
  };

  /** Pass as the runner's `onFunctionLog`: keeps the errors a function logged (JSON records at ERROR, or WARN with an error; plain error lines). */
  readonly onFunctionLog = (functionName: string, line: string): void => {
    const error = errorOf(line);
    if (error) this.keep(this.functionErrors, `${functionName}: ${error}`);
  };

  /** One paragraph: why nothing happened after the gateway published `topic`. */
  explain(runner: RunningStacks, topic: string): string {
    const facts: string[] = [...new Set(this.admissionFailures)];
    const matched = this.ruleEvents.filter((entry) => entry.event === 'rule-matched' && entry.topic === topic);
    if (topic && matched.length === 0) {
      const rules = runner.resourcesOfType('AWS::IoT::TopicRule')
        .map((rule) => `${rule.logicalId}: ${(rule.properties.TopicRulePayload as { Sql?: string } | undefined)?.Sql}`);
      facts.push(`no topic rule matched ${topic} (the stack's rules: ${rules.join('; ') || 'none'})`);
    }
    for (const entry of this.ruleEvents.filter((candidate) => String(candidate.event).endsWith('-failed') || candidate.event === 'rule-message-lost')) {
      facts.push(`rule ${entry.rule}: ${entry.event} ${entry.action ?? ''} ${entry.resource ?? ''}: ${entry.reason}`.replace(/\s+/g, ' '));
    }
    facts.push(...new Set(this.functionErrors));
    for (const queue of runner.queues.list()) {
      const waiting = queue.approximateNumberOfMessages() + queue.approximateNumberOfMessagesNotVisible();
      if (waiting > 0) facts.push(`queue ${queue.name} holds ${waiting} message(s)`);
    }
    return facts.join('; ');
  }

  private keep<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > KEPT_LINES) list.shift();
  }
}

/** The error a log line reports: a JSON log record at ERROR level, or a plain line naming an error. */
function errorOf(line: string): string | undefined {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const level = String(record.level).toUpperCase();
    // A warning counts when it carries an error (a record that will be retried, say).
    if (level !== 'ERROR' && !(level === 'WARN' && (record.errorName || record.errorMessage))) return undefined;
    const error = record.error as Record<string, unknown> | undefined;
    const detail = [record.message, record.errorName ?? error?.name, record.errorMessage ?? error?.message].filter(Boolean).join(': ');
    return detail || line;
  } catch {
    return /\b(error|exception|denied)\b/i.test(line) ? line.trim() : undefined;
  }
}

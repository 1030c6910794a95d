import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { LogLineSplitter } from './log-lines';
import {
  ContextData, FunctionErrorPayload, heapUsedOf, INIT_PHASE, InvokeMessage, phaseOf, WorkerMessage, WorkerStartData,
} from './worker-protocol';

/** Plain JavaScript, loaded by the Worker with Node's own loader (see the file's comment). */
const BOOTSTRAP = path.join(__dirname, 'worker-bootstrap.js');

/** Lambda gives the init phase (loading the handler module) 10 seconds, apart from the function's timeout. */
const INIT_LIMIT_MS = 10_000;

/** How long to wait for a dead worker's last output to arrive. */
const LAST_OUTPUT_WAIT_MS = 200;

/** Unlikely to appear in a function's own output; ends every phase's output on stdout and stderr. */
const END_MARKER = '\u0000local-lambda-phase-end:';

const BYTES_PER_MB = 1024 * 1024;

export interface FunctionInstanceOptions {
  readonly codeDirectory: string;
  readonly handler: string;
  readonly sdkModulesDirectory: string;
  /** The instance's whole process.env. */
  readonly environment: Readonly<Record<string, string>>;
  /** Every line the instance writes, as it writes it, and the REPORT line that closes each invocation. */
  readonly onLine: (line: string) => void;
  /** Test-only fault switch (local/faults.ts): outbound HTTP calls that kill the instance. */
  readonly crashes?: WorkerStartData['crashes'];
}

export interface InvocationRequest {
  readonly requestId: string;
  readonly eventJson: string;
  readonly timeoutMs: number;
  readonly context: ContextData;
}

/** How one invocation on this instance ended. */
export interface InvocationOutcome {
  /** The handler's value (parsed from its JSON), or Lambda's error object. */
  readonly payload: unknown;
  readonly error?: FunctionErrorPayload;
  /** The lines the instance wrote during the invocation, then Lambda's REPORT line (see reportLine). */
  readonly logs: string[];
  /** Set when the instance died during the invocation: the exit code of its runtime. */
  readonly exitCode?: number;
}

type PhaseEnd =
  | { readonly kind: 'done'; readonly message: WorkerMessage; readonly lines: string[] }
  | { readonly kind: 'timeout'; readonly lines: string[] }
  | { readonly kind: 'died'; readonly error: FunctionErrorPayload; readonly lines: string[]; readonly exitCode: number };

interface Phase {
  readonly tag: string;
  message?: WorkerMessage;
  markersSeen: number;
  readonly finish: (end: PhaseEnd) => void;
  timer?: NodeJS.Timeout;
}

type StreamName = 'stdout' | 'stderr';

/**
 * One execution environment of a function: a worker thread with the function's own environment
 * (process.env), that loads the handler once and then runs invocations one at a time, keeping its
 * module state between them as a warm Lambda instance does. A timeout or a crash kills it.
 */
export class FunctionInstance {
  private readonly worker: Worker;
  private readonly initialized: Promise<PhaseEnd>;
  private phase?: Phase;
  /** Lines of the running phase (or, between phases, of the next one: Lambda shows late output with the next invocation). */
  private lines: string[] = [];
  /** Lines a stream wrote after its end marker, while the other stream's marker is still on its way. */
  private nextLines: string[] = [];
  private readonly markerSeen: Record<StreamName, boolean> = { stdout: false, stderr: false };
  private readonly splitters: Record<StreamName, LogLineSplitter>;
  private uncaughtError?: FunctionErrorPayload;
  private dead = false;
  private busy = false;
  private initLinesDelivered = false;
  /** The heap in use the worker last reported, and the largest it ever reported, in bytes. */
  private readonly heap = { latest: 0, peak: 0 };

  constructor(private readonly options: FunctionInstanceOptions) {
    const workerData: WorkerStartData = {
      codeDirectory: options.codeDirectory,
      handler: options.handler,
      sdkModulesDirectory: options.sdkModulesDirectory,
      endMarker: END_MARKER,
      crashes: options.crashes,
    };
    this.worker = new Worker(BOOTSTRAP, { workerData, env: { ...options.environment }, stdout: true, stderr: true, execArgv: workerExecArgv() });
    // An idle instance must not keep the host process alive; invocations hold their own timers.
    this.worker.unref();
    this.splitters = { stdout: this.captureStream('stdout'), stderr: this.captureStream('stderr') };
    this.worker.on('message', (message: unknown) => this.onMessage(message));
    this.worker.on('error', (error: unknown) => {
      this.uncaughtError = uncaughtErrorPayload(error);
    });
    this.worker.on('exit', (exitCode: number) => void this.onExit(exitCode));
    this.initialized = this.startPhase(INIT_PHASE, INIT_LIMIT_MS);
  }

  /** False once the instance timed out, crashed or failed to load its handler. */
  get alive(): boolean {
    return !this.dead;
  }

  /**
   * The instance's V8 heap in use as it last reported it (at the end of its init phase and of each invocation);
   * 0 until its first report. It includes garbage not yet collected, so it saw-tooths between collections.
   */
  get heapUsedBytes(): number {
    return this.heap.latest;
  }

  /** The largest heap in use the instance ever reported: what Lambda's "Max Memory Used" is to an execution environment. */
  get peakHeapUsedBytes(): number {
    return this.heap.peak;
  }

  /** Runs one invocation; the caller runs one at a time per instance. */
  async invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    if (this.busy) {
      throw new Error('A function instance runs one invocation at a time');
    }
    this.busy = true;
    try {
      const init = await this.initialized;
      // The init phase's output belongs to the first invocation only.
      const initLines = this.initLinesDelivered ? [] : init.lines;
      this.initLinesDelivered = true;
      if (init.kind !== 'done' || init.message.error) {
        this.kill();
        const error = init.kind === 'done' ? init.message.error! : init.kind === 'died' ? init.error : initTimeoutError();
        return { payload: error, error, logs: initLines };
      }
      const ended = this.startPhase(request.requestId, request.timeoutMs);
      const message: InvokeMessage = {
        type: 'invoke',
        requestId: request.requestId,
        eventJson: request.eventJson,
        deadline: Date.now() + request.timeoutMs,
        context: request.context,
      };
      const started = performance.now();
      this.worker.postMessage(message);
      const end = await ended;
      const outcome = outcomeOf(end, request, [...initLines, ...end.lines]);
      const report = reportLine(request, performance.now() - started, this.heap.peak);
      outcome.logs.push(report);
      this.options.onLine(report);
      return outcome;
    } finally {
      this.busy = false;
    }
  }

  /** Stops the worker; a running invocation ends as a crash. */
  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  private kill(): void {
    this.dead = true;
    void this.worker.terminate();
  }

  private captureStream(name: StreamName): LogLineSplitter {
    const stream = this.worker[name];
    stream.setEncoding('utf8');
    const splitter = new LogLineSplitter(END_MARKER, (line) => this.onLine(name, line), (tag) => this.onEndMarker(name, tag));
    stream.on('data', (chunk: string) => splitter.push(chunk));
    return splitter;
  }

  private onLine(stream: StreamName, line: string): void {
    (this.markerSeen[stream] ? this.nextLines : this.lines).push(line);
    this.options.onLine(line);
  }

  private onEndMarker(stream: StreamName, tag: string): void {
    if (this.phase?.tag !== tag) {
      return;
    }
    this.markerSeen[stream] = true;
    this.phase.markersSeen += 1;
    this.finishIfComplete();
  }

  private onMessage(message: unknown): void {
    const heapUsed = heapUsedOf(message);
    if (heapUsed !== undefined) {
      this.heap.latest = heapUsed;
      this.heap.peak = Math.max(this.heap.peak, heapUsed);
    }
    if (this.phase && phaseOf(message) === this.phase.tag) {
      this.phase.message = message as WorkerMessage;
      this.finishIfComplete();
    }
  }

  /** A phase ends when the worker reported it and both streams carried its end marker. */
  private finishIfComplete(): void {
    const phase = this.phase;
    if (phase?.message && phase.markersSeen >= 2) {
      this.endPhase({ kind: 'done', message: phase.message, lines: this.lines });
    }
  }

  private startPhase(tag: string, limitMs: number): Promise<PhaseEnd> {
    return new Promise((finish) => {
      const phase: Phase = { tag, markersSeen: 0, finish };
      phase.timer = setTimeout(() => {
        this.endPhase({ kind: 'timeout', lines: this.lines });
        this.kill();
      }, limitMs);
      this.phase = phase;
    });
  }

  private endPhase(end: PhaseEnd): void {
    const phase = this.phase;
    if (!phase) {
      return;
    }
    clearTimeout(phase.timer);
    this.phase = undefined;
    this.lines = this.nextLines;
    this.nextLines = [];
    this.markerSeen.stdout = false;
    this.markerSeen.stderr = false;
    phase.finish(end);
  }

  private async onExit(exitCode: number): Promise<void> {
    this.dead = true;
    if (!this.phase) {
      return;
    }
    await Promise.all([streamEnded(this.worker.stdout), streamEnded(this.worker.stderr)]);
    this.splitters.stdout.flush();
    this.splitters.stderr.flush();
    const error = this.uncaughtError ?? exitError(this.phase.tag, exitCode);
    this.endPhase({ kind: 'died', error, lines: [...this.lines, ...this.nextLines], exitCode });
  }
}

/**
 * The host's Node options for an instance, without the modules it preloads with --require (ts-node, when the local
 * cloud runs from TypeScript): the bootstrap and the handlers are JavaScript, and each instance would otherwise load
 * the TypeScript compiler at its cold start (a hundred megabytes and a second or so, per instance).
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const option = execArgv[i];
    if (option === '--require' || option === '-r') {
      i += 1; // and its module
    } else if (!option.startsWith('--require=')) {
      kept.push(option);
    }
  }
  return kept;
}

function outcomeOf(end: PhaseEnd, request: InvocationRequest, logs: string[]): InvocationOutcome {
  switch (end.kind) {
    case 'done': {
      const result = end.message.type === 'result' ? end.message : undefined;
      if (result?.error) {
        return { payload: result.error, error: result.error, logs };
      }
      return { payload: JSON.parse(result?.payloadJson ?? 'null'), logs };
    }
    case 'timeout': {
      const error = timeoutError(request.timeoutMs);
      logs.push(`${new Date().toISOString()} ${request.requestId} ${error.errorMessage}`);
      return { payload: error, error, logs };
    }
    case 'died':
      return { payload: end.error, error: end.error, logs, exitCode: end.exitCode };
  }
}

/**
 * Lambda's line at the end of every invocation, e.g.
 * `REPORT RequestId: <id>\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB`.
 * Duration runs from handing the invocation to the instance until its outcome is in; Lambda bills per millisecond.
 * Max Memory Used is the instance's peak V8 heap so far (its isolate's heap, not a whole sandbox's resident memory as
 * on Lambda, so it reads lower than Lambda would), in MB of 1024 × 1024 bytes, rounded up.
 */
export function reportLine(request: Pick<InvocationRequest, 'requestId' | 'context'>, durationMs: number, peakHeapUsedBytes: number): string {
  return [
    `REPORT RequestId: ${request.requestId}`,
    `Duration: ${durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.max(1, Math.ceil(durationMs))} ms`,
    `Memory Size: ${request.context.memoryLimitInMB} MB`,
    `Max Memory Used: ${Math.ceil(peakHeapUsedBytes / BYTES_PER_MB)} MB`,
  ].join('\t');
}

function timeoutError(timeoutMs: number): FunctionErrorPayload {
  return { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`, trace: [] };
}

function initTimeoutError(): FunctionErrorPayload {
  return { errorType: 'Sandbox.Timedout', errorMessage: `Init phase timed out after ${(INIT_LIMIT_MS / 1000).toFixed(2)} seconds`, trace: [] };
}

/** What Lambda reports when the runtime process exits in the middle of an invocation. */
function exitError(requestId: string, exitCode: number): FunctionErrorPayload {
  const reason = exitCode === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${exitCode}`;
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${reason}`, trace: [] };
}

/** An exception nothing caught (a throw in a timer, a rejected promise nobody awaited) ends the invocation with that error. */
function uncaughtErrorPayload(error: unknown): FunctionErrorPayload {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const { name, message, stack } = error as { name?: unknown; message?: unknown; stack?: unknown };
    return {
      errorType: typeof name === 'string' ? name : 'Error',
      errorMessage: String(message),
      trace: typeof stack === 'string' ? stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function streamEnded(stream: NodeJS.ReadableStream & { readonly readableEnded?: boolean }): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, LAST_OUTPUT_WAIT_MS);
    stream.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.resume();
  });
}

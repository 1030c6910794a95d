import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConcurrencyLimit } from './concurrency-limit';
import { DEFAULT_MEMORY_SIZE_MB, DEFAULT_TIMEOUT_SECONDS, functionEnvironment, logGroupNameFor } from './function-environment';
import { FunctionInstance } from './function-instance';
import { functionArnFor, parseFunctionReference, referenceMatches } from './function-lookup';
import { FunctionMemoryUsage, InstancePool } from './instance-pool';
import { InvokeResult, LambdaServiceError, LocalFunctionDefinition, LocalFunctionInvoker } from './types';
import { INJECTED_CRASH_EXIT_CODE, requireShare, type LocalFunctionFaults } from '../../faults';

export interface LocalFunctionsOptions {
  readonly region: string;
  readonly accountId: string;
  /** Local endpoints by service key, e.g. { IOT: 'http://127.0.0.1:1234' }, given to functions as AWS_ENDPOINT_URL_<KEY>. */
  readonly serviceEndpoints: Readonly<Record<string, string>>;
  /** A node_modules directory where the AWS SDK v3 packages (@aws-sdk, @smithy) resolve: Lambda's runtime provides the SDK; our bundles keep it external. */
  readonly sdkModulesDirectory: string;
  /** Every line a function writes, as it writes it, and Lambda's REPORT line at the end of each invocation. */
  readonly onLog?: (functionName: string, line: string) => void;
  /**
   * The account's concurrency: how many invocations of functions without reserved concurrency run at once.
   * @default 10
   */
  readonly accountConcurrencyLimit?: number;
  /** Test-only fault switch (local/faults.ts): instances that crash on outbound calls. None by default. */
  readonly faults?: LocalFunctionFaults;
}

/** Invocations that ended because their instance died, for load tests and benchmarks. */
export interface FunctionCrashCounts {
  /** Every instance death during an invocation (Runtime.ExitError), by function name. */
  readonly crashed: Readonly<Record<string, number>>;
  /** Of those, the ones the fault switch caused. */
  readonly injected: Readonly<Record<string, number>>;
}

const DEFAULT_ACCOUNT_CONCURRENCY = 10;

interface RegisteredFunction {
  readonly definition: LocalFunctionDefinition;
  readonly pool: InstancePool;
}

/**
 * The local Lambda service: runs Node.js functions from a synthesized template, each instance in
 * its own worker thread with its own environment, warm instances reused, concurrency limited.
 */
export class LocalFunctions implements LocalFunctionInvoker {
  private readonly functions = new Map<string, RegisteredFunction>();
  private readonly unreserved: ConcurrencyLimit;
  /** Lambda's writable /tmp, given to functions as HOME; created on first use, removed on close. */
  private scratchDirectory?: string;
  private closed = false;
  private readonly crashed = new Map<string, number>();
  private readonly injectedCrashes = new Map<string, number>();

  constructor(private readonly options: LocalFunctionsOptions) {
    this.unreserved = new ConcurrencyLimit(options.accountConcurrencyLimit ?? DEFAULT_ACCOUNT_CONCURRENCY);
    if (options.faults) requireShare('crashProbabilityPerCall', options.faults.crashProbabilityPerCall);
  }

  /** Invocations whose instance died, so far. */
  crashCounts(): FunctionCrashCounts {
    return { crashed: Object.fromEntries(this.crashed), injected: Object.fromEntries(this.injectedCrashes) };
  }

  /**
   * Each added function's memory by function name (the keys of crashCounts()), from the V8 heap sizes its instances
   * report after their init phase and after every invocation. For benchmarks that check a function's memory stays
   * flat over a burst of invocations, as Lambda's "Max Memory Used" shows it on AWS; see FunctionMemoryUsage.
   */
  memoryUsage(): Record<string, FunctionMemoryUsage> {
    return Object.fromEntries([...this.functions].map(([functionName, { pool }]) => [functionName, pool.memoryUsage()]));
  }

  /** The functions added so far. */
  get definitions(): readonly LocalFunctionDefinition[] {
    return [...this.functions.values()].map(({ definition }) => definition);
  }

  /** Registers a function; instances start on its first invocation. Throws for runtimes other than Node.js. */
  add(definition: LocalFunctionDefinition): void {
    if (!/^nodejs\d/.test(definition.runtime)) {
      throw new Error(
        `Function ${definition.functionName} (${definition.logicalId}) uses runtime ${definition.runtime}; the local Lambda service runs only nodejs runtimes`,
      );
    }
    if (this.functions.has(definition.functionName)) {
      throw new Error(`Function ${definition.functionName} (${definition.logicalId}) is already added`);
    }
    const limit = definition.reservedConcurrency !== undefined ? new ConcurrencyLimit(definition.reservedConcurrency) : this.unreserved;
    const pool = new InstancePool(limit, (logStreamName) => this.startInstance(definition, logStreamName));
    this.functions.set(definition.functionName, { definition, pool });
  }

  find(functionNameOrArn: string): LocalFunctionDefinition | undefined {
    return this.lookup(functionNameOrArn)?.definition;
  }

  async invoke(functionNameOrArn: string, event: unknown): Promise<InvokeResult> {
    if (this.closed) {
      throw new LambdaServiceError('ServiceException', 'The local Lambda service is closed', 500);
    }
    const registered = this.lookup(functionNameOrArn);
    if (!registered) {
      throw new LambdaServiceError('ResourceNotFoundException', `Function not found: ${this.arnFor(functionNameOrArn)}`, 404);
    }
    const { definition, pool } = registered;
    // The event reaches the function as JSON, as it does on Lambda: no shared objects, no functions, `undefined` dropped.
    const eventJson = JSON.stringify(event === undefined ? {} : event);
    const outcome = await pool.invoke({
      requestId: randomUUID(),
      eventJson,
      timeoutMs: (definition.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      context: {
        functionName: definition.functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: definition.functionArn,
        memoryLimitInMB: String(definition.memorySizeMb ?? DEFAULT_MEMORY_SIZE_MB),
        logGroupName: logGroupNameFor(definition.functionName),
      },
    });
    if (outcome.exitCode !== undefined) {
      const name = definition.functionName;
      this.crashed.set(name, (this.crashed.get(name) ?? 0) + 1);
      if (outcome.exitCode === INJECTED_CRASH_EXIT_CODE) this.injectedCrashes.set(name, (this.injectedCrashes.get(name) ?? 0) + 1);
    }
    if (outcome.error) {
      return { payload: outcome.payload, functionError: 'Unhandled', error: outcome.error, logs: outcome.logs };
    }
    return { payload: outcome.payload, logs: outcome.logs };
  }

  /** Stops every instance (a running invocation ends as a crash) and removes the scratch directory. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.functions.values()].map(({ pool }) => pool.close()));
    if (this.scratchDirectory) {
      fs.rmSync(this.scratchDirectory, { recursive: true, force: true });
      this.scratchDirectory = undefined;
    }
  }

  private lookup(functionNameOrArn: string): RegisteredFunction | undefined {
    const reference = parseFunctionReference(functionNameOrArn);
    const registered = reference && this.functions.get(reference.name);
    return registered && referenceMatches(reference, registered.definition.functionName, registered.definition.functionArn) ? registered : undefined;
  }

  private arnFor(functionNameOrArn: string): string {
    const reference = parseFunctionReference(functionNameOrArn);
    return reference ? functionArnFor(reference, this.options) : functionNameOrArn;
  }

  private startInstance(definition: LocalFunctionDefinition, logStreamName: string): FunctionInstance {
    const environment = functionEnvironment(
      definition,
      {
        region: this.options.region,
        serviceEndpoints: this.options.serviceEndpoints,
        sdkModulesDirectory: this.options.sdkModulesDirectory,
        homeDirectory: this.scratch(),
      },
      logStreamName,
    );
    const onLog = this.options.onLog;
    const faults = this.options.faults;
    const crashes = faults && faults.crashProbabilityPerCall > 0 && (faults.appliesTo?.(definition.functionName, definition.logicalId) ?? true)
      ? { probabilityPerCall: faults.crashProbabilityPerCall, exitCode: INJECTED_CRASH_EXIT_CODE, timing: faults.crashTiming ?? 'either' }
      : undefined;
    return new FunctionInstance({
      codeDirectory: definition.codeDirectory,
      handler: definition.handler,
      sdkModulesDirectory: this.options.sdkModulesDirectory,
      environment,
      onLine: (line) => onLog?.(definition.functionName, line),
      crashes,
    });
  }

  private scratch(): string {
    this.scratchDirectory ??= fs.mkdtempSync(path.join(os.tmpdir(), 'local-lambda-tmp-'));
    return this.scratchDirectory;
  }
}

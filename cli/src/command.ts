import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './exit-codes';
import type { Output } from './output';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** What a command gets to run with. */
export interface CommandContext {
  readonly values: OptionValues;
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C, so long waits (device connect, local up) can stop cleanly. */
  readonly signal: AbortSignal;
}

/** One `<group> <action>` command. */
export interface Command {
  /** 'ca create' */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The option lines of `--help`, without the common ones. */
  readonly usage: string;
  readonly options: OptionSpecs;
  /** Whether the command talks to AWS (adds --region, --profile, --endpoint-url). */
  readonly usesAws: boolean;
  /** Resolves with the exit code (0 unless the command decides otherwise); throws CliError to fail. */
  run(context: CommandContext): Promise<number>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

/** Where AWS is: the usual places (environment, shared config) unless given here. */
export const AWS_OPTIONS: OptionSpecs = {
  'region': { type: 'string' },
  'profile': { type: 'string' },
  'endpoint-url': { type: 'string' },
};

export const COMMON_USAGE = '  --json  print the result as one JSON document on stdout   --quiet, -q  no progress on stderr   --help, -h';
export const AWS_USAGE = [
  '  --region R      AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile\'s region)',
  '  --profile P     shared config/credentials profile (default: AWS_PROFILE, then "default")',
  '  --endpoint-url U  AWS IoT control-plane endpoint (default: AWS_ENDPOINT_URL_IOT, AWS_ENDPOINT_URL, then AWS\'s own;',
  '                    the local cloud prints its URL)',
].join('\n');

/** Parses a command's options strictly; an unknown option or a stray argument is a usage error naming it. */
export function parseOptions(command: Command, argv: readonly string[]): OptionValues {
  const options = { ...COMMON_OPTIONS, ...(command.usesAws ? AWS_OPTIONS : {}), ...command.options };
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
    return values;
  } catch (error) {
    throw usageError(`${command.name}: ${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')}`,
      `see: cdk-iot-security-cli ${command.name} --help`);
  }
}

/** A string option, or undefined when absent. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw usageError(`--${name}: expected a value`);
  if (value === '') throw usageError(`--${name}: must not be empty`);
  return value;
}

export function requiredString(values: OptionValues, name: string, why?: string): string {
  const value = stringOption(values, name);
  if (value === undefined) throw usageError(`--${name} is required${why ? ` ${why}` : ''}`);
  return value;
}

/** A whole number within bounds; `Number()` alone would take '' as 0 and '1e3' as 1000. */
export function integerOption(values: OptionValues, name: string, fallback: number, min: number, max: number): number {
  const text = stringOption(values, name);
  if (text === undefined) return fallback;
  const value = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw usageError(`--${name}: expected a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

/** One of a fixed set of words. */
export function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[], fallback: T): T;
export function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[]): T | undefined;
export function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[], fallback?: T): T | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return fallback;
  const match = choices.find((choice) => choice.toLowerCase() === text.toLowerCase());
  if (!match) throw usageError(`--${name}: expected one of ${choices.join(', ')}, got "${text}"`);
  return match;
}

/** At most one of `names` may be given. */
export function usageOptionConflict(values: OptionValues, names: readonly string[], why: string): void {
  const given = names.filter((name) => values[name] !== undefined && values[name] !== false);
  if (given.length > 1) throw usageError(`--${given.join(' and --')} exclude each other: ${why}`);
}

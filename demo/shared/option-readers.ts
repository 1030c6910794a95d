import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Bad command-line input; the message names the argument. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** String options as node:util parseArgs returns them. */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export function requiredOption(values: OptionValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name}: required`);
  return value;
}

export function integerOption(values: OptionValues, name: string, min: number, max: number): number {
  const text = typeof values[name] === 'string' ? values[name] as string : '';
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** The file an option names, or a UsageError naming the option. */
export function readOptionFile(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`--${name}: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code})`);
  }
}

export function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/**
 * Random passwords as Secrets Manager's GetRandomPassword (and CloudFormation's GenerateSecretString) make them:
 * 32 characters from upper- and lower-case letters, digits and punctuation unless told otherwise, at least one of
 * each included type unless RequireEachIncludedType is false.
 */
import { randomInt } from 'node:crypto';
import { SecretsManagerError } from './errors';

export interface PasswordOptions {
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludeNumbers?: boolean;
  readonly ExcludePunctuation?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeLowercase?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
}

/** CloudFormation's GenerateSecretString: a password, or the template JSON with the password under GenerateStringKey. */
export interface SecretStringGenerator extends PasswordOptions {
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** Template values arrive as strings when CloudFormation passes them through (`"true"`, `"20"`). */
function flag(value: unknown): boolean {
  return value === true || value === 'true';
}

export function randomPassword(options: PasswordOptions = {}): string {
  const length = options.PasswordLength === undefined ? 32 : Number(options.PasswordLength);
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new SecretsManagerError('InvalidParameterException', 'PasswordLength must be an integer from 1 to 4096.');
  }
  const excluded = new Set(options.ExcludeCharacters ?? '');
  const types = [
    flag(options.ExcludeLowercase) ? '' : LOWER,
    flag(options.ExcludeUppercase) ? '' : UPPER,
    flag(options.ExcludeNumbers) ? '' : DIGITS,
    flag(options.ExcludePunctuation) ? '' : PUNCTUATION,
    flag(options.IncludeSpace) ? ' ' : '',
  ].map((set) => [...set].filter((c) => !excluded.has(c)).join('')).filter((set) => set.length > 0);
  const all = types.join('');
  if (all.length === 0) throw new SecretsManagerError('InvalidParameterException', 'The password must be able to contain at least one character.');
  const requireEach = options.RequireEachIncludedType === undefined || flag(options.RequireEachIncludedType);
  if (requireEach && types.length > length) {
    throw new SecretsManagerError('InvalidParameterException', 'The password length is too short to include every included character type.');
  }
  const pick = (set: string) => set[randomInt(set.length)];
  const chars = Array.from({ length }, () => pick(all));
  if (requireEach) {
    // One character of each type at distinct random positions.
    const positions = [...Array(length).keys()];
    for (const set of types) chars[positions.splice(randomInt(positions.length), 1)[0]] = pick(set);
  }
  return chars.join('');
}

/** The SecretString a GenerateSecretString property produces. */
export function generateSecretString(generator: SecretStringGenerator): string {
  const password = randomPassword(generator);
  const { SecretStringTemplate: template, GenerateStringKey: key } = generator;
  if (template === undefined && key === undefined) return password;
  if (template === undefined || key === undefined) {
    throw new SecretsManagerError('InvalidParameterException', 'SecretStringTemplate and GenerateStringKey must be specified together.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    throw new SecretsManagerError('InvalidParameterException', 'SecretStringTemplate must be a JSON object.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretsManagerError('InvalidParameterException', 'SecretStringTemplate must be a JSON object.');
  }
  return JSON.stringify({ ...parsed, [key]: password });
}

import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringOption, type OptionValues } from './command';
import { fileError, usageError } from './exit-codes';

/** A file a command writes. */
export interface OutputFile {
  readonly name: string;
  readonly content: string;
  /** A private key: owner read/write only (0600), whatever the umask. */
  readonly secret: boolean;
}

/**
 * Writes `files` into `directory` (created if missing). Nothing is written unless every file can
 * be: an existing file is a refusal naming it, unless `force`, so a half-written set never
 * replaces a CA or a device key by accident.
 */
export function writeOutputFiles(directory: string, files: readonly OutputFile[], force: boolean): string[] {
  const paths = files.map((file) => resolve(join(directory, file.name)));
  if (!force) {
    const existing = paths.filter((path) => existsSync(path));
    if (existing.length > 0) {
      throw fileError(`refusing to overwrite ${existing.join(', ')}`, 'choose another --out-dir (or --name), or pass --force to replace them');
    }
  }
  try {
    mkdirSync(resolve(directory), { recursive: true });
  } catch (error) {
    throw fileError(`cannot create ${directory}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  files.forEach((file, index) => writeOne(paths[index], file, force));
  return paths;
}

function writeOne(path: string, file: OutputFile, force: boolean): void {
  const mode = file.secret ? 0o600 : 0o644;
  let fd: number;
  try {
    // 'wx' fails if the file appeared meanwhile; the mode applies only when the file is created.
    fd = openSync(path, force ? 'w' : 'wx', mode);
  } catch (error) {
    throw fileError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    // The umask may have loosened (or tightened) the mode, and a replaced file keeps its old one.
    fchmodSync(fd, mode);
    writeSync(fd, file.content);
  } finally {
    closeSync(fd);
  }
}

/** A text file an option names; a missing or unreadable one is a refusal naming the option. */
export function readInputFile(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fileError(`--${option}: cannot read ${path} (${code === 'ENOENT' ? 'no such file' : code ?? 'unreadable'})`);
  }
}

/** The PEM blocks of one type in `text`, in order. */
export function pemBlocks(text: string, type: string): string[] {
  const pattern = new RegExp(`-----BEGIN ${type}-----[\\s\\S]+?-----END ${type}-----`, 'g');
  return (text.replace(/\r\n/g, '\n').match(pattern) ?? []).map((block) => `${block}\n`);
}

/** `--name`, else the CN, as a file-name prefix: separators and spaces in a CN would make surprising paths. */
export function fileNameOption(values: OptionValues, commonName: string | undefined): string {
  const given = stringOption(values, 'name');
  if (given !== undefined && !/^[A-Za-z0-9._-]+$/.test(given)) throw usageError(`--name: use letters, digits, ".", "_" and "-" only, got "${given}"`);
  return (given ?? commonName ?? 'device').replace(/[^A-Za-z0-9._-]/g, '_');
}

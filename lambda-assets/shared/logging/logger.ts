/**
 * Structured JSON logs, one line per decision.
 *
 * Lines go straight to stdout as JSON so that Lambda's JSON log format and
 * CloudWatch Logs Insights read the fields as they are. Callers never pass
 * keys or certificates' private material here; certificate ids are fine.
 */
type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const LEVEL_ORDER: Record<Level, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

function configuredLevel(): Level {
  // Lambda sets AWS_LAMBDA_LOG_LEVEL from the function's applicationLogLevel.
  const raw = (process.env.AWS_LAMBDA_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'INFO').toUpperCase();
  return raw in LEVEL_ORDER ? (raw as Level) : 'INFO';
}

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(base: LogFields = {}, write: (line: string) => void = writeStdout): Logger {
  const threshold = LEVEL_ORDER[configuredLevel()];
  const emit = (level: Level, message: string, fields?: LogFields) => {
    if (LEVEL_ORDER[level] < threshold) return;
    write(JSON.stringify({ timestamp: new Date().toISOString(), level, message, ...base, ...fields }));
  };
  return {
    debug: (message, fields) => emit('DEBUG', message, fields),
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARN', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, write),
  };
}

function writeStdout(line: string): void {
  process.stdout.write(line + '\n');
}

/** The name and message of an error, never its stack or attached data. */
export function describeError(error: unknown): { errorName: string; errorMessage: string } {
  if (error instanceof Error) return { errorName: error.name, errorMessage: error.message };
  return { errorName: 'NonError', errorMessage: String(error) };
}

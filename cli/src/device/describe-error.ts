/**
 * One line that says what went wrong, for any error the two MQTT stacks produce:
 * aws-crt's CrtError (`error_name`, e.g. AWS_ERROR_MQTT_UNEXPECTED_HANGUP), Node's system
 * errors (`code`, e.g. ECONNRESET), plain Errors, and the strings aws-crt sometimes throws.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const tag = errorTag(err);
    const message = (err.message.split('\n')[0] ?? '').replace(/\.$/, '') || err.name;
    return tag && !message.includes(tag) ? `${message} (${tag})` : message;
  }
  return String(err);
}

function errorTag(err: Error): string | undefined {
  const fields = err as Error & { error_name?: unknown; code?: unknown };
  if (typeof fields.error_name === 'string') return fields.error_name;
  if (typeof fields.code === 'string') return fields.code;
  return undefined;
}

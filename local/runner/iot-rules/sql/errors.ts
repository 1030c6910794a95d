/**
 * A rule's SQL that the local rule engine cannot run: a syntax error, or a construct of the
 * AWS IoT SQL reference outside the subset modelled here. The runner lists such rules as
 * unsupported rather than approximating them, so the message names the construct.
 */
export class IotSqlError extends Error {
  constructor(
    message: string,
    /** The construct at fault, e.g. `CASE`, `upper()`, `+`, or undefined for a plain syntax error. */
    readonly construct?: string,
    /** Character offset in the statement, when known. */
    readonly position?: number,
  ) {
    super(position === undefined ? message : `${message} (at character ${position + 1})`);
    this.name = 'IotSqlError';
  }
}

/** Builds the error for a construct AWS IoT SQL has but the local engine does not model. */
export function unsupportedConstruct(construct: string, position: number, hint?: string): IotSqlError {
  const suffix = hint ? `; ${hint}` : '';
  return new IotSqlError(`IoT SQL ${construct} is not supported by the local rule engine${suffix}`, construct, position);
}

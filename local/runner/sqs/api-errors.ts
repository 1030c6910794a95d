/**
 * The errors the SQS API answers with, shaped for SQS's "query-compatible" AWS JSON 1.0 protocol:
 * a body `{"__type": "com.amazonaws.sqs#<Name>", "message": ...}` and an `x-amzn-query-error:
 * <QueryCode>;Sender` header. The AWS SDK for JavaScript reads the header first: it finds the typed
 * exception (QueueDoesNotExist, ReceiptHandleIsInvalid, ...) whose awsQueryError code matches, and
 * for codes the SQS model does not declare (AccessDenied, InvalidParameterValue, MissingParameter)
 * raises an SQSServiceException named after the query code. Without the header some SDK versions fail
 * to parse the error at all, so every error carries it.
 */
import { SqsError } from './errors';
import { AuthenticationError } from '../iam/types';

interface WireError {
  /** The query-protocol code, what `error.name` becomes for unmodelled errors and `error.Code` for all. */
  readonly queryCode: string;
  readonly httpStatus: number;
}

/**
 * Codes and statuses as the SQS model (awsQueryError traits) declares them for the modelled errors;
 * the unmodelled ones as the query API documented them.
 */
const WIRE_ERRORS = {
  QueueDoesNotExist: { queryCode: 'AWS.SimpleQueueService.NonExistentQueue', httpStatus: 400 },
  ReceiptHandleIsInvalid: { queryCode: 'ReceiptHandleIsInvalid', httpStatus: 404 },
  MessageNotInflight: { queryCode: 'AWS.SimpleQueueService.MessageNotInflight', httpStatus: 400 },
  EmptyBatchRequest: { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', httpStatus: 400 },
  TooManyEntriesInBatchRequest: { queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', httpStatus: 400 },
  BatchEntryIdsNotDistinct: { queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', httpStatus: 400 },
  InvalidBatchEntryId: { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', httpStatus: 400 },
  BatchRequestTooLong: { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', httpStatus: 400 },
  UnsupportedOperation: { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', httpStatus: 400 },
  QueueNameExists: { queryCode: 'QueueAlreadyExists', httpStatus: 400 },
  InvalidAttributeName: { queryCode: 'InvalidAttributeName', httpStatus: 400 },
  InvalidMessageContents: { queryCode: 'InvalidMessageContents', httpStatus: 400 },
  InvalidAddress: { queryCode: 'InvalidAddress', httpStatus: 404 },
  // SQS has always refused with 403 AccessDenied (the query API did, and the JSON protocol kept the code).
  AccessDenied: { queryCode: 'AccessDenied', httpStatus: 403 },
  MissingParameter: { queryCode: 'MissingParameter', httpStatus: 400 },
  InvalidParameterValue: { queryCode: 'InvalidParameterValue', httpStatus: 400 },
  InvalidAction: { queryCode: 'InvalidAction', httpStatus: 400 },
  MalformedQueryString: { queryCode: 'MalformedQueryString', httpStatus: 400 },
  InternalError: { queryCode: 'InternalError', httpStatus: 500 },
} as const satisfies Record<string, WireError>;

export type SqsApiErrorCode = keyof typeof WIRE_ERRORS;

function wireErrorOf(code: string): WireError {
  return Object.hasOwn(WIRE_ERRORS, code) ? WIRE_ERRORS[code as SqsApiErrorCode] : { queryCode: code, httpStatus: 400 };
}

/** An error of the SQS API: the `__type` name, the query code for the header and the HTTP status. */
export class SqsApiError extends Error {
  readonly queryCode: string;
  readonly httpStatus: number;

  constructor(readonly code: string, message: string, wire: WireError = wireErrorOf(code)) {
    super(message);
    this.name = 'SqsApiError';
    this.queryCode = wire.queryCode;
    this.httpStatus = wire.httpStatus;
  }

  /** `__type`: unmodelled codes get the same namespace so a client reading only the body names them alike. */
  get type(): string {
    return `com.amazonaws.sqs#${this.code}`;
  }

  /** Sender for the caller's mistakes, Receiver for the service's, as the query protocol's Error.Type said. */
  get fault(): 'Sender' | 'Receiver' {
    return this.httpStatus >= 500 ? 'Receiver' : 'Sender';
  }
}

export function sqsApiError(code: SqsApiErrorCode, message: string): SqsApiError {
  return new SqsApiError(code, message);
}

/** Whatever a request failed with, as the API answers it. */
export function asSqsApiError(error: unknown): SqsApiError {
  if (error instanceof SqsApiError) return error;
  if (error instanceof SqsError) {
    // SqsError prefixes its message with the code; the API carries the code separately.
    const prefix = `${error.code}: `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return sqsApiError(error.code === 'QueueAlreadyExists' ? 'QueueNameExists' : error.code, message);
  }
  if (error instanceof AuthenticationError) {
    // The local IAM chooses the code and status (InvalidSignatureException, UnrecognizedClientException, ...).
    return new SqsApiError(error.code, error.message, { queryCode: error.code, httpStatus: error.httpStatus });
  }
  return sqsApiError('InternalError', error instanceof Error ? error.message : String(error));
}

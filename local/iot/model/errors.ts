/**
 * An error AWS IoT answers with. `name` is the modeled exception name (the wire layer sends it
 * as `x-amzn-errortype`, so `@aws-sdk/client-iot` raises the typed exception class), `httpStatus`
 * the status the AWS IoT API reference gives for it.
 *
 * Errors meant for the MQTT fleet-provisioning `/rejected` topics also carry `errorCode`
 * (e.g. `InvalidCertificateOwnershipToken`); {@link IotServiceError.rejectedPayload} builds the
 * `{statusCode, errorCode, errorMessage}` payload AWS IoT publishes there.
 */
export class IotServiceError extends Error {
  /** HTTP status of the REST error, or `statusCode` of an MQTT `/rejected` payload. */
  readonly httpStatus: number;
  /** Error code for MQTT `/rejected` payloads; defaults to the exception name without "Exception". */
  readonly errorCode: string;
  /** Extra members of the modeled exception (ResourceAlreadyExistsException: resourceId, resourceArn). */
  readonly details: Readonly<Record<string, string>>;

  constructor(name: string, httpStatus: number, message: string, options: { errorCode?: string; details?: Record<string, string> } = {}) {
    super(message);
    this.name = name;
    this.httpStatus = httpStatus;
    this.errorCode = options.errorCode ?? name.replace(/Exception$/, '');
    this.details = Object.freeze({ ...options.details });
  }

  /** The payload AWS IoT publishes on an MQTT `/rejected` topic for this error. */
  get rejectedPayload(): { statusCode: number; errorCode: string; errorMessage: string } {
    return { statusCode: this.httpStatus, errorCode: this.errorCode, errorMessage: this.message };
  }
}

/**
 * The exceptions this model throws, with the HTTP status of each as `@aws-sdk/client-iot`'s
 * model (and the AWS IoT API reference) declares it.
 */
export const EXCEPTION_STATUS = {
  CertificateConflictException: 409,
  CertificateStateException: 406,
  CertificateValidationException: 400,
  ConflictingResourceUpdateException: 409,
  DeleteConflictException: 409,
  InternalFailureException: 500,
  InvalidRequestException: 400,
  LimitExceededException: 410,
  MalformedPolicyException: 400,
  RegistrationCodeValidationException: 400,
  ResourceAlreadyExistsException: 409,
  ResourceNotFoundException: 404,
  ResourceRegistrationFailureException: 400,
  // The API reference and the SDK model give 400 (an older developer guide page said 429);
  // the SDK recognises throttling by the error name either way.
  ThrottlingException: 400,
  VersionConflictException: 409,
} as const;

export type IotExceptionName = keyof typeof EXCEPTION_STATUS;

/** Builds a modeled exception with its documented HTTP status. */
export function iotError(name: IotExceptionName, message: string, details?: Record<string, string>): IotServiceError {
  return new IotServiceError(name, EXCEPTION_STATUS[name], message, { details });
}

export const notFound = (message: string): IotServiceError => iotError('ResourceNotFoundException', message);
export const invalidRequest = (message: string): IotServiceError => iotError('InvalidRequestException', message);

/** ResourceAlreadyExistsException with the resourceId and resourceArn members AWS fills in. */
export function alreadyExists(message: string, resourceId: string, resourceArn: string): IotServiceError {
  return iotError('ResourceAlreadyExistsException', message, { resourceId, resourceArn });
}

/**
 * A request API Gateway answers itself instead of the integration: the response type names which
 * GatewayResponse of the API (if any) shapes the answer; the rest is API Gateway's default answer.
 */
export class GatewayError extends Error {
  constructor(
    /** e.g. MISSING_AUTHENTICATION_TOKEN, ACCESS_DENIED, BAD_REQUEST_BODY, DEFAULT_5XX. */
    readonly responseType: string,
    readonly statusCode: number,
    /** What x-amzn-ErrorType says, e.g. MissingAuthenticationTokenException. */
    readonly errorType: string,
    /** `$context.error.message`; null where AWS answers `{"message": null}`. */
    readonly errorMessage: string | null,
    readonly options: {
      /** The body when the API defines no GatewayResponse for it, if not `{"message": <errorMessage>}`. */
      readonly defaultBody?: string;
      /** `$context.error.validationErrorString`, for BAD_REQUEST_BODY. */
      readonly validationErrorString?: string;
    } = {},
  ) {
    super(errorMessage ?? responseType);
    this.name = 'GatewayError';
  }
}

export const missingAuthenticationToken = () =>
  new GatewayError('MISSING_AUTHENTICATION_TOKEN', 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');

export const unauthorized = () => new GatewayError('UNAUTHORIZED', 401, 'UnauthorizedException', 'Unauthorized');

/** AWS answers these with `{"message": null}`: the authorizer failed or returned something unusable. */
export const authorizerConfigurationError = () =>
  new GatewayError('AUTHORIZER_CONFIGURATION_ERROR', 500, 'AuthorizerConfigurationException', null);

export const internalServerError = (responseType: string, statusCode: number) =>
  new GatewayError(responseType, statusCode, 'InternalServerErrorException', 'Internal server error');

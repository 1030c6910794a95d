/**
 * The method's request validator: required request parameters, then the body against the model for its
 * content type (JSON schema draft-04, as API Gateway models are). Failures answer BAD_REQUEST_PARAMETERS
 * and BAD_REQUEST_BODY, which the API may reshape with its gateway responses.
 */
import type { ValidateFunction } from 'ajv';
import Ajv from 'ajv-draft-04';
import { GatewayError, internalServerError } from './gateway-error';
import { headerValue, mediaTypeOf, multiValueQuery, ReceivedRequest } from './http-request';
import type { RestApiDefinition, RestApiMethod } from './rest-api-definition';
import { invalidJsonErrorString, validationErrorString } from './validation-error-string';

export interface ValidationInput {
  readonly method: RestApiMethod;
  readonly request: ReceivedRequest;
  readonly pathParameters: Readonly<Record<string, string>>;
}

/** One per API: models are compiled once, and may `$ref` each other by their API Gateway model URL. */
export class RequestValidation {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly api: RestApiDefinition, private readonly log: (line: string) => void) {
    // verbose: errors carry the offending value, which the error string quotes. strict off: API Gateway accepts schemas with keywords Ajv's strict mode rejects (e.g. unknown formats).
    this.ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: false });
    for (const model of api.models) {
      if (typeof model.schema !== 'object' || model.schema === null) continue;
      try {
        this.ajv.addSchema(model.schema as object, modelUrl(api.id, model.name));
      } catch (error) {
        log(`API Gateway: model ${model.name} of ${api.name} is not a usable JSON schema draft-04: ${(error as Error).message}`);
      }
    }
  }

  /** Throws the GatewayError for the first check that fails. */
  validate(input: ValidationInput): void {
    const validator = this.api.validators.find((candidate) => candidate.id === input.method.requestValidatorId);
    if (!validator) return;
    if (validator.validateRequestParameters) requireParameters(input);
    if (validator.validateRequestBody) this.validateBody(input);
  }

  private validateBody(input: ValidationInput): void {
    // A request without Content-Type is validated as application/json, as API Gateway does.
    const mediaType = mediaTypeOf(input.request) ?? 'application/json';
    const models = input.method.requestModels;
    const modelName = models[mediaType] ?? models.$default;
    if (!modelName) return;
    const validate = this.validatorFor(modelName);
    const text = input.request.body.toString('utf8');
    let body: unknown;
    try {
      // API Gateway validates an empty body as an empty object.
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw badRequestBody(invalidJsonErrorString((error as Error).message));
    }
    if (!validate(body)) throw badRequestBody(validationErrorString(validate.errors ?? []));
  }

  private validatorFor(modelName: string): ValidateFunction {
    const known = this.compiled.get(modelName);
    if (known) return known;
    let validate: ValidateFunction | undefined;
    try {
      validate = this.ajv.getSchema(modelUrl(this.api.id, modelName));
    } catch (error) {
      this.log(`API Gateway: model ${modelName} of ${this.api.name} is not a usable JSON schema: ${(error as Error).message}`);
    }
    if (!validate) {
      this.log(`API Gateway: model ${modelName} of ${this.api.name} cannot be used for validation`);
      throw internalServerError('API_CONFIGURATION_ERROR', 500);
    }
    this.compiled.set(modelName, validate);
    return validate;
  }
}

/** `method.request.(header|querystring|path).X: true` must be present; AWS lists all missing names at once. */
function requireParameters(input: ValidationInput): void {
  const query = multiValueQuery(input.request);
  const missing = Object.entries(input.method.requestParameters).filter(([, required]) => required).flatMap(([key]) => {
    const [, kind, name] = /^method\.request\.(header|querystring|path|multivalueheader|multivaluequerystring)\.(.+)$/.exec(key) ?? [];
    const present = kind === 'header' || kind === 'multivalueheader' ? headerValue(input.request, name) !== undefined
      : kind === 'querystring' || kind === 'multivaluequerystring' ? query[name] !== undefined
        : kind === 'path' ? input.pathParameters[name] !== undefined
          : true;
    return present ? [] : [name];
  });
  if (missing.length > 0) {
    throw new GatewayError('BAD_REQUEST_PARAMETERS', 400, 'BadRequestException', `Missing required request parameters: [${missing.join(', ')}]`);
  }
}

function badRequestBody(errorString: string): GatewayError {
  return new GatewayError('BAD_REQUEST_BODY', 400, 'BadRequestException', 'Invalid request body', { validationErrorString: errorString });
}

/** How one model `$ref`s another in API Gateway. */
function modelUrl(apiId: string, modelName: string): string {
  return `https://apigateway.amazonaws.com/restapis/${apiId}/models/${modelName}`;
}

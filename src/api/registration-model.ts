import * as apigw from 'aws-cdk-lib/aws-apigateway';

/**
 * The JSON schema API Gateway checks POST /register bodies against before the
 * registrar runs (which checks again, field by field, and names the field).
 */
export function registrationSchema(thingTypes: string[]): apigw.JsonSchema {
  return {
    schema: apigw.JsonSchemaVersion.DRAFT4,
    title: 'RegisterRequest',
    type: apigw.JsonSchemaType.OBJECT,
    additionalProperties: false,
    required: ['thingName', 'version'],
    properties: {
      thingName: { type: apigw.JsonSchemaType.STRING, pattern: '^[a-zA-Z0-9:_-]{1,128}$' },
      version: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
      thingType: { type: apigw.JsonSchemaType.STRING, enum: thingTypes },
      attributes: { type: apigw.JsonSchemaType.OBJECT, additionalProperties: { type: apigw.JsonSchemaType.STRING, maxLength: 800 } },
    },
  };
}

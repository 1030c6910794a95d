import * as apigw from 'aws-cdk-lib/aws-apigateway';

/**
 * The JSON schema API Gateway checks POST /provision/device bodies against
 * before the handler runs (which checks again, field by field, and names the
 * field in its answer).
 */
export function csrProvisioningSchema(): apigw.JsonSchema {
  return {
    schema: apigw.JsonSchemaVersion.DRAFT4,
    title: 'ProvisionDeviceRequest',
    type: apigw.JsonSchemaType.OBJECT,
    additionalProperties: false,
    required: ['ThingName', 'CSR'],
    properties: {
      ThingName: { type: apigw.JsonSchemaType.STRING, pattern: '^[a-zA-Z0-9:_-]{1,128}$' },
      CSR: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 16384 },
      ThingTypeName: { type: apigw.JsonSchemaType.STRING, pattern: '^[a-zA-Z0-9:_-]{1,128}$' },
      AttributePayload: {
        type: apigw.JsonSchemaType.OBJECT,
        properties: {
          attributes: { type: apigw.JsonSchemaType.OBJECT, additionalProperties: { type: apigw.JsonSchemaType.STRING, maxLength: 800 } },
        },
      },
      ThingGroups: {
        type: apigw.JsonSchemaType.ARRAY,
        maxItems: 10,
        items: { type: apigw.JsonSchemaType.STRING, pattern: '^[a-zA-Z0-9:_-]{1,128}$' },
      },
      rotate: { type: apigw.JsonSchemaType.BOOLEAN },
    },
  };
}

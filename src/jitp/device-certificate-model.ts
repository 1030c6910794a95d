import * as apigw from 'aws-cdk-lib/aws-apigateway';

const text = (maxLength: number): apigw.JsonSchema => ({ type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength });

/**
 * The JSON schema API Gateway checks POST /deviceCertificateGenerate bodies
 * against before the handler runs (which checks again, field by field, and
 * names the field in its answer).
 */
export function deviceCertificateSchema(keyAlgorithms: string[], maxValidityDays: number): apigw.JsonSchema {
  return {
    schema: apigw.JsonSchemaVersion.DRAFT4,
    title: 'DeviceCertificateRequest',
    type: apigw.JsonSchemaType.OBJECT,
    additionalProperties: false,
    required: ['caCertificateId'],
    properties: {
      caCertificateId: { type: apigw.JsonSchemaType.STRING, pattern: '^[0-9a-f]{64}$' },
      csrPem: text(16384),
      keyAlgorithm: { type: apigw.JsonSchemaType.STRING, enum: keyAlgorithms },
      subject: {
        type: apigw.JsonSchemaType.OBJECT,
        additionalProperties: false,
        properties: {
          commonName: text(64),
          countryName: { type: apigw.JsonSchemaType.STRING, pattern: '^[A-Za-z]{2}$' },
          stateName: text(64),
          localityName: text(64),
          organizationName: text(64),
          organizationUnitName: text(64),
          serialNumber: text(64),
          dnQualifier: text(64),
        },
      },
      validityDays: { type: apigw.JsonSchemaType.INTEGER, minimum: 1, maximum: maxValidityDays },
    },
  };
}

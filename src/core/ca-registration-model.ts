import * as apigw from 'aws-cdk-lib/aws-apigateway';

const subjectValue: apigw.JsonSchema = { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 64 };
const pem: apigw.JsonSchema = { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 16384 };

/**
 * The JSON schema API Gateway checks POST /caRegister bodies against before
 * the CA registrator runs (which checks again, field by field).
 */
export function caRegistrationSchema(keyAlgorithms: string[]): apigw.JsonSchema {
  return {
    schema: apigw.JsonSchemaVersion.DRAFT4,
    title: 'CaRegisterRequest',
    type: apigw.JsonSchemaType.OBJECT,
    additionalProperties: false,
    properties: {
      csrSubjects: {
        type: apigw.JsonSchemaType.OBJECT,
        additionalProperties: false,
        properties: {
          commonName: subjectValue,
          countryName: { type: apigw.JsonSchemaType.STRING, pattern: '^[A-Za-z]{2}$' },
          stateName: subjectValue,
          localityName: subjectValue,
          organizationName: subjectValue,
          organizationUnitName: subjectValue,
        },
      },
      keyAlgorithm: { type: apigw.JsonSchemaType.STRING, enum: keyAlgorithms },
      validityDays: { type: apigw.JsonSchemaType.INTEGER, minimum: 1, maximum: 18250 },
      verifierName: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 128 },
      certificateMode: { type: apigw.JsonSchemaType.STRING, enum: ['DEFAULT', 'SNI_ONLY'] },
      caCertificatePem: pem,
      verificationCertificatePem: pem,
    },
  };
}

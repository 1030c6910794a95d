import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { deviceCertificateSchema } from './device-certificate-model';
import { ApiAuthorizationOptions, resolveAuthorization } from '../core/api-authorization';
import { CaVault } from '../core/ca-vault';
import { HandlerFunction } from '../core/handler-function';
import { iotArn } from '../core/iot-arn';
import { KeyAlgorithm } from '../core/key-algorithm';
import { CaKeyStorage } from '../core/kms-ca-key';
import { attachRolePolicy } from '../core/role-policy';

/** Longest device certificate the API issues (10 years); longer ones outlive most devices' keys. */
export const MAX_DEVICE_VALIDITY_DAYS = 3650;

export interface DeviceCertificateApiProps {
  /** The REST API to add `POST /deviceCertificateGenerate` to. */
  readonly api: apigw.RestApi;
  readonly vault: CaVault;
  readonly registrarId: string;
  readonly verifiers: { [name: string]: lambda.IFunction };
  readonly authorization?: ApiAuthorizationOptions;
  readonly defaultValidityDays: number;
  /** Where the construct's CAs keep their keys; with KMS, the CA registrator names `role` in each CA key's policy. */
  readonly caKeyStorage: CaKeyStorage;
}

/**
 * `POST /deviceCertificateGenerate`: signs a device's CSR (or a key it makes
 * for the device) with one of the construct's JITP CAs, after the CA's
 * verifier admitted the device. It writes nothing to AWS IoT: the device's
 * first connect provisions it.
 */
export class DeviceCertificateApi extends Construct {
  public readonly function: lambda.IFunction;
  public readonly method: apigw.Method;
  /** The function's role: with CaKeyStorage.KMS, each CA key's policy lets it sign (no identity policy is needed for that). */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: DeviceCertificateApiProps) {
    super(scope, id);
    const days = props.defaultValidityDays;
    if (!Number.isInteger(days) || days < 1 || days > MAX_DEVICE_VALIDITY_DAYS) {
      throw new Error(`defaultDeviceCertificateValidity must be a whole number of days from 1 to ${MAX_DEVICE_VALIDITY_DAYS}, got ${days}`);
    }
    const handler = new HandlerFunction(this, 'Handler', {
      handlerName: 'device-certificate-generator',
      description: 'Issues device certificates for just-in-time provisioning from a CSR (or a generated key)',
      // RSA key generation is the slow path (about a second for RSA-4096 on arm64).
      timeout: Duration.seconds(30),
      environment: {
        VAULT_BUCKET: props.vault.bucket.bucketName,
        VAULT_PREFIX: props.vault.prefix,
        VAULT_KEY_ARN: props.vault.encryptionKey.keyArn,
        REGISTRAR_ID: props.registrarId,
        VERIFIER_ARNS: Stack.of(this).toJsonString(
          Object.fromEntries(Object.entries(props.verifiers).map(([name, fn]) => [name, fn.functionArn])),
        ),
        DEFAULT_DEVICE_VALIDITY_DAYS: String(days),
        MAX_DEVICE_VALIDITY_DAYS: String(MAX_DEVICE_VALIDITY_DAYS),
        CA_KEY_STORAGE: props.caKeyStorage,
      },
    });
    this.function = handler.function;
    this.role = handler.role;
    props.vault.grantIssueDeviceCertificates(handler.role);
    props.vault.restrictPrivateKeyReadsTo([handler.role]);
    grantIssuance(this, handler.role, Object.values(props.verifiers));

    const model = props.api.addModel('DeviceCertificateRequest', {
      contentType: 'application/json',
      schema: deviceCertificateSchema(Object.values(KeyAlgorithm), MAX_DEVICE_VALIDITY_DAYS),
    });
    const validator = props.api.addRequestValidator('DeviceCertificateBodyValidator', { validateRequestBody: true });
    this.method = props.api.root.addResource('deviceCertificateGenerate').addMethod('POST', new apigw.LambdaIntegration(this.function), {
      ...resolveAuthorization('deviceCertificateApiAuthorization', props.authorization),
      requestModels: { 'application/json': model },
      requestValidator: validator,
    });
  }

  /** Lets a principal call `POST /deviceCertificateGenerate` (IAM authorization). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: [this.method.methodArn] });
  }
}

function grantIssuance(scope: Construct, role: iam.IRole, verifiers: lambda.IFunction[]): void {
  const arn = (resource: string) => iotArn(scope, resource);
  attachRolePolicy(scope, 'IotPolicy', role, [
    new iam.PolicyStatement({
      actions: ['iot:DescribeCACertificate', 'iot:ListTagsForResource'],
      resources: [arn('cacert')],
    }),
    new iam.PolicyStatement({
      actions: ['iot:DescribeProvisioningTemplate'],
      resources: [arn('provisioningtemplate')],
    }),
    new iam.PolicyStatement({
      // DescribeEndpoint has no resource type: '*' is the only possible resource.
      actions: ['iot:DescribeEndpoint'],
      resources: ['*'],
    }),
  ], 'CA ids and template names are known only at run time (the handler reads the CA it is asked for); DescribeEndpoint has no resource type.');
  if (verifiers.length > 0) {
    attachRolePolicy(scope, 'VerifierPolicy', role, [new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: verifiers.map((verifier) => verifier.functionArn),
    })]);
  }
}

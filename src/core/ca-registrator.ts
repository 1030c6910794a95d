import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ApiAuthorizationOptions, resolveAuthorization } from './api-authorization';
import { caRegistrationSchema } from './ca-registration-model';
import { CaVault, createdVaultBucket } from './ca-vault';
import { HandlerFunction } from './handler-function';
import { iotArn } from './iot-arn';
import { KeyAlgorithm } from './key-algorithm';
import { CaKeyStorage, checkCaKeyOptions, KmsCaKeyWiring } from './kms-ca-key';
import { KmsCaKeyDeletion } from './kms-ca-key-deletion';
import { createRestApi } from './rest-api';
import { attachRolePolicy } from './role-policy';

/**
 * Options of the CA registrator.
 */
export interface CaRegistratorProps {
  /** The vault the CA material goes to. */
  readonly vault: CaVault;
  /**
   * Tag value that marks the CAs this registrator registers, so that the
   * device activator of the same construct recognises them.
   */
  readonly registrarId: string;
  /**
   * Names of the verifiers a CA may be bound to (`verifierName` in the request).
   *
   * @default - none
   */
  readonly verifierNames?: string[];
  /**
   * Who may call `POST /caRegister`.
   *
   * @default - IAM authorization
   */
  readonly apiAuthorization?: ApiAuthorizationOptions;
  /**
   * Key algorithm of generated CAs when the request names none.
   *
   * @default KeyAlgorithm.ECDSA_P256
   */
  readonly defaultKeyAlgorithm?: KeyAlgorithm;
  /**
   * Validity of generated CAs when the request names none.
   *
   * @default Duration.days(3650)
   */
  readonly defaultValidity?: Duration;
  /**
   * The provisioning template every registered CA carries (just-in-time
   * provisioning): a template by name, or a template body with the role AWS
   * IoT provisions as.
   *
   * @default - none: CAs are registered for just-in-time registration
   */
  readonly registrationConfig?: CaProvisioningConfig;
  /**
   * Where the CAs this registrator makes keep their private keys: PEM files in the vault, or keys
   * that never leave AWS KMS (one asymmetric key per CA, signing through KMS Sign).
   *
   * @default CaKeyStorage.VAULT
   */
  readonly caKeyStorage?: CaKeyStorage;
  /**
   * With `CaKeyStorage.KMS`: roles that may sign with every CA key this registrator makes (your
   * factory's signing role, say), besides the stack's own functions. Each is named in the key
   * policy of every CA key made from then on (kms:Sign with the CA's signing algorithm); a role
   * added later is not in the keys of earlier CAs.
   *
   * @default - none: only the stack's functions sign
   */
  readonly caKeySigners?: iam.IRole[];
}

/**
 * The registration config of CAs registered for just-in-time provisioning:
 * either `templateName`, or `templateBody` with `provisioningRole`.
 */
export interface CaProvisioningConfig {
  /**
   * Name of a JITP provisioning template.
   *
   * @default - none (then templateBody and provisioningRole are required)
   */
  readonly templateName?: string;
  /**
   * A JITP template body (JSON) the CA carries itself.
   *
   * @default - none (then templateName is required)
   */
  readonly templateBody?: string;
  /**
   * The role AWS IoT provisions as when the CA carries a template body; the
   * registrator is allowed to pass it to AWS IoT.
   *
   * @default - none (required with templateBody)
   */
  readonly provisioningRole?: iam.IRole;
}

/**
 * A REST API, `POST /caRegister`, that makes (or imports) a CA, registers it
 * with AWS IoT for just-in-time registration and keeps it in the vault.
 */
export class CaRegistrator extends Construct {
  /** The CA registrator function. */
  public readonly function: lambda.IFunction;
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The `POST /caRegister` method. */
  public readonly method: apigw.Method;
  /** Where the CAs this registrator makes keep their private keys. */
  public readonly caKeyStorage: CaKeyStorage;
  private readonly kmsCaKeys?: KmsCaKeyWiring;

  constructor(scope: Construct, id: string, props: CaRegistratorProps) {
    super(scope, id);
    const validityDays = (props.defaultValidity ?? Duration.days(3650)).toDays();
    if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 18250) {
      throw new Error(`defaultCaValidity must be a whole number of days from 1 to 18250, got ${validityDays}`);
    }
    this.caKeyStorage = checkCaKeyOptions(props.caKeyStorage, props.caKeySigners);
    const handler = new HandlerFunction(this, 'Handler', {
      handlerName: 'ca-registrator',
      description: `Makes or imports CAs, registers them with AWS IoT for ${props.registrationConfig ? 'JITP' : 'JITR'}, keeps them in the CA vault`,
      timeout: Duration.seconds(60),
      environment: {
        VAULT_BUCKET: props.vault.bucket.bucketName,
        VAULT_PREFIX: props.vault.prefix,
        VAULT_KEY_ARN: props.vault.encryptionKey.keyArn,
        REGISTRAR_ID: props.registrarId,
        VERIFIER_NAMES: JSON.stringify(props.verifierNames ?? []),
        DEFAULT_KEY_ALGORITHM: props.defaultKeyAlgorithm ?? KeyAlgorithm.ECDSA_P256,
        DEFAULT_CA_VALIDITY_DAYS: String(validityDays),
        ...registrationConfigEnvironment(this, props.registrationConfig),
      },
    });
    this.function = handler.function;
    props.vault.grantReadWriteCaMaterial(handler.role);
    props.vault.restrictPrivateKeyReadsTo([handler.role]);
    grantCaRegistration(this, handler.role);
    if (this.caKeyStorage === CaKeyStorage.KMS) {
      this.kmsCaKeys = new KmsCaKeyWiring(this, handler.role, props.vault);
      for (const signer of props.caKeySigners ?? []) this.kmsCaKeys.addSigner(signer);
      for (const [name, value] of Object.entries(this.kmsCaKeys.environment())) handler.function.addEnvironment(name, value);
      // The keys go where the vault goes: with a vault bucket the stack deletes, not with one it keeps or one you brought.
      const vaultBucket = createdVaultBucket(props.vault);
      if (vaultBucket && props.vault.removalPolicy === RemovalPolicy.DESTROY) {
        new KmsCaKeyDeletion(this, 'CaKeyDeletion', { vault: props.vault, bucket: vaultBucket, registrarId: props.registrarId });
      }
    }
    if (props.registrationConfig?.provisioningRole) {
      // RegisterCACertificate with a template body hands the role to AWS IoT, and only to it.
      attachRolePolicy(this, 'PassProvisioningRole', handler.role, [new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [props.registrationConfig.provisioningRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
      })]);
    }

    this.api = createRestApi(this, 'Api',
      `Registers CAs with AWS IoT for just-in-time ${props.registrationConfig ? 'provisioning' : 'registration'} (cdk-iot-security)`);
    const model = this.api.addModel('CaRegisterRequest', {
      contentType: 'application/json',
      schema: caRegistrationSchema(Object.values(KeyAlgorithm)),
    });
    const validator = this.api.addRequestValidator('BodyValidator', { validateRequestBody: true, validateRequestParameters: true });
    this.method = this.api.root.addResource('caRegister').addMethod('POST', new apigw.LambdaIntegration(this.function), {
      ...resolveAuthorization('apiAuthorization', props.apiAuthorization),
      requestModels: { 'application/json': model },
      requestValidator: validator,
    });
  }

  /** Lets a principal call `POST /caRegister` (IAM authorization). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.method.methodArn],
    });
  }

  /**
   * With `CaKeyStorage.KMS`: names a role in the key policy of every CA key made from now on, so it
   * may sign with them (kms:Sign). Keys of CAs made earlier keep their policies.
   */
  public addCaKeySigner(role: iam.IRole): void {
    if (!this.kmsCaKeys) {
      throw new Error('addCaKeySigner applies to CaKeyStorage.KMS only: with CaKeyStorage.VAULT the CA keys are PEM files in the vault');
    }
    this.kmsCaKeys.addSigner(role);
  }
}

function registrationConfigEnvironment(scope: Construct, config: CaProvisioningConfig | undefined): Record<string, string> {
  if (!config) return {};
  const byName = config.templateName !== undefined;
  const byBody = config.templateBody !== undefined || config.provisioningRole !== undefined;
  if (byName === byBody || (byBody && (config.templateBody === undefined || config.provisioningRole === undefined))) {
    throw new Error('registrationConfig takes either templateName, or templateBody with provisioningRole');
  }
  const value = byName
    ? { templateName: config.templateName }
    : { templateBody: config.templateBody, roleArn: config.provisioningRole!.roleArn };
  return { REGISTRATION_CONFIG: Stack.of(scope).toJsonString(value) };
}

function grantCaRegistration(scope: Construct, role: iam.IRole): void {
  attachRolePolicy(scope, 'IotPolicy', role, [
    new iam.PolicyStatement({
      // GetRegistrationCode and RegisterCACertificate have no resource type in
      // AWS IoT's authorization model: '*' is the only possible resource.
      actions: ['iot:GetRegistrationCode', 'iot:RegisterCACertificate'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      actions: ['iot:DescribeCACertificate', 'iot:TagResource'],
      resources: [iotArn(scope, 'cacert')],
    }),
  ], 'GetRegistrationCode and RegisterCACertificate have no resource type (only "*" is possible); CA ids are assigned at registration, so CA ARNs are matched by cacert/*.');
}

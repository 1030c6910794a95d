import { Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { registrationSchema } from './registration-model';
import { RegistryEventArchive } from './registry-event-archive';
import { DevicePolicy } from '../core/device-policy';
import { HandlerFunction } from '../core/handler-function';
import { iotArn } from '../core/iot-arn';
import { applyLogGroupRemovalPolicy, checkRemovalPolicy } from '../core/removal';
import { createRestApi } from '../core/rest-api';
import { attachRolePolicy } from '../core/role-policy';

const NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const ATTRIBUTE_NAME = /^[a-zA-Z0-9_.,@/:#-]{1,128}$/;
const LEDGER_PREFIX = 'used-tokens';

/**
 * A kind of device the gateway registers.
 */
export interface RegistrationThingType {
  /**
   * Attribute names a device of this type may send (besides `version`, which every device sends).
   *
   * @default - none
   */
  readonly attributes?: string[];

  /**
   * Statements of this type's AWS IoT policy.
   *
   * @default - see DevicePolicyProps.statements (scoped to the thing name)
   */
  readonly policyStatements?: iam.PolicyStatement[];

  /**
   * Description of the thing type.
   *
   * @default - none
   */
  readonly description?: string;
}

/**
 * Options of RegistrationGateway.
 */
export interface RegistrationGatewayProps {
  /**
   * The word before the token in the `Authorization` header: `Authorization: <identifier> <token>`.
   *
   * @default 'Token'
   */
  readonly tokenIdentifier?: string;

  /**
   * A Secrets Manager secret holding the accepted tokens as SHA-256 hashes:
   * `{"tokens": [{"id", "sha256", "oneTime", "allowReissue", "thingTypes"}]}`.
   *
   * @default - a new secret with no tokens (add their hashes with PutSecretValue)
   */
  readonly tokensSecret?: secretsmanager.ISecret;

  /**
   * The kinds of device the gateway registers, by name; each becomes an AWS IoT thing type with its own policy.
   *
   * @default - one type, `device`, with the default device policy
   */
  readonly thingTypes?: { [name: string]: RegistrationThingType };

  /**
   * The type of a device whose request names none.
   *
   * @default - the only type, when there is one (else requests must name theirs)
   */
  readonly defaultThingType?: string;

  /**
   * Archive AWS IoT registry events of things (`$aws/events/thing/...`) to S3
   * through a topic rule. It turns on AWS IoT's THING registry events, an
   * account-wide setting that deleting the stack leaves on.
   *
   * @default true
   */
  readonly archiveRegistryEvents?: boolean;

  /**
   * What deleting the stack does with the data this construct keeps.
   *
   * It applies to the construct's log groups, the ledger of spent one-time tokens and the
   * registry-event archive. DESTROY deletes them with the stack (`cdk destroy`), the
   * buckets emptied first; RETAIN keeps them. Keep the ledger as long as the tokens it
   * records: with a `tokensSecret` of your own (which outlives the stack) and a new, empty
   * ledger, one-time tokens already spent would work again.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * `POST /register`: a device (or its installer) presents a token in the
 * `Authorization` header and gets its thing, a certificate and key, the
 * endpoint and the preferred and backup Amazon root CAs. Tokens are checked by
 * a Lambda authorizer against hashes in Secrets Manager; one-time tokens
 * cannot be replayed; re-registering a thing answers 409 unless the token
 * allows re-issue.
 */
export class RegistrationGateway extends Construct {
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The secret holding the token hashes. */
  public readonly tokensSecret: secretsmanager.ISecret;
  /** The function behind `POST /register`. */
  public readonly registrar: lambda.IFunction;
  /** The token authorizer function. */
  public readonly authorizerFunction: lambda.IFunction;
  /** Where spent one-time tokens are recorded. */
  public readonly tokenLedger: s3.IBucket;
  /** Thing type names (physical) by type name. */
  public readonly thingTypeNames: { [name: string]: string } = {};
  /** The bucket that archives registry events, with `archiveRegistryEvents`. */
  public readonly registryEventsBucket?: s3.IBucket;

  constructor(scope: Construct, id: string, props: RegistrationGatewayProps = {}) {
    super(scope, id);
    const removalPolicy = checkRemovalPolicy(props.removalPolicy, 'removalPolicy');
    const identifier = props.tokenIdentifier ?? 'Token';
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(identifier)) {
      throw new Error(`tokenIdentifier '${identifier}' must be a word of letters, digits, _ or - (at most 32), such as Token or Bearer`);
    }
    const types = props.thingTypes ?? { device: {} };
    const typeNames = Object.keys(types);
    if (typeNames.length === 0) throw new Error('thingTypes must name at least one type');
    for (const [name, type] of Object.entries(types)) {
      if (!NAME.test(name)) throw new Error(`thingTypes: '${name}' is not a thing type name (1-128 of a-zA-Z0-9:_-)`);
      for (const attribute of type.attributes ?? []) {
        if (!ATTRIBUTE_NAME.test(attribute) || attribute === 'version') {
          throw new Error(`thingTypes.${name}.attributes: '${attribute}' is not an attribute name AWS IoT accepts (or is the reserved 'version')`);
        }
      }
    }
    const defaultType = props.defaultThingType ?? (typeNames.length === 1 ? typeNames[0] : undefined);
    if (defaultType !== undefined && !typeNames.includes(defaultType)) {
      throw new Error(`defaultThingType '${defaultType}' is not one of thingTypes (${typeNames.join(', ')})`);
    }

    this.tokensSecret = props.tokensSecret ?? this.createTokensSecret();
    this.tokenLedger = this.createTokenLedger(removalPolicy);
    const registrationTypes: Record<string, { thingTypeName: string; policyName: string; policyArn: string; attributes: string[] }> = {};
    for (const [name, type] of Object.entries(types)) {
      const thingType = new iot.CfnThingType(this, `ThingType${name}`, {
        thingTypeProperties: {
          thingTypeDescription: type.description ?? `Devices registered by the registration gateway as ${name} (cdk-iot-security)`,
          searchableAttributes: ['version', ...(type.attributes ?? [])].slice(0, 3),
        },
      });
      const policy = new DevicePolicy(this, `Policy${name}`, { statements: type.policyStatements });
      this.thingTypeNames[name] = thingType.ref;
      registrationTypes[name] = {
        thingTypeName: thingType.ref, policyName: policy.policyName, policyArn: policy.policyArn, attributes: type.attributes ?? [],
      };
    }

    const authorizer = new HandlerFunction(this, 'Authorizer', {
      handlerName: 'token-authorizer',
      description: 'Checks registration tokens against their hashes in Secrets Manager (POST /register)',
      timeout: Duration.seconds(10),
      environment: { TOKEN_IDENTIFIER: identifier, TOKENS_SECRET_ARN: this.tokensSecret.secretArn, SECRET_CACHE_SECONDS: '60' },
    });
    this.authorizerFunction = authorizer.function;
    this.tokensSecret.grantRead(authorizer.role);

    const registrar = new HandlerFunction(this, 'Registrar', {
      handlerName: 'device-registrar',
      description: 'Registers a device: thing, certificate and key, the type\'s policy (POST /register)',
      timeout: Duration.seconds(30),
      environment: {
        THING_TYPES: Stack.of(this).toJsonString(Object.fromEntries(Object.entries(registrationTypes).map(([name, type]) =>
          [name, { thingTypeName: type.thingTypeName, policyName: type.policyName, attributes: type.attributes }]))),
        ...(defaultType ? { DEFAULT_THING_TYPE: defaultType } : {}),
        TOKEN_LEDGER_BUCKET: this.tokenLedger.bucketName,
        TOKEN_LEDGER_PREFIX: LEDGER_PREFIX,
      },
    });
    this.registrar = registrar.function;
    grantRegistration(this, registrar.role, Object.values(registrationTypes).map((type) => type.policyArn), this.tokenLedger);

    this.api = createRestApi(this, 'Api', 'Registers devices that present a token (cdk-iot-security)');
    const model = this.api.addModel('RegisterRequest', { contentType: 'application/json', schema: registrationSchema(typeNames) });
    const validator = this.api.addRequestValidator('BodyValidator', { validateRequestBody: true, validateRequestParameters: true });
    this.api.root.addResource('register').addMethod('POST', new apigw.LambdaIntegration(this.registrar), {
      authorizer: new apigw.TokenAuthorizer(this, 'TokenAuthorizer', {
        handler: this.authorizerFunction,
        identitySource: apigw.IdentitySource.header('Authorization'),
        validationRegex: `^${identifier} \\S+$`,
        // No caching: a revoked or spent token must stop working at once.
        resultsCacheTtl: Duration.seconds(0),
      }),
      authorizationType: apigw.AuthorizationType.CUSTOM,
      requestModels: { 'application/json': model },
      requestValidator: validator,
    });

    if (props.archiveRegistryEvents ?? true) {
      this.registryEventsBucket = new RegistryEventArchive(this, 'RegistryEvents', { removalPolicy }).bucket;
    }
    applyLogGroupRemovalPolicy(this, removalPolicy);
  }

  private createTokensSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'Tokens', {
      description: 'Registration tokens of the cdk-iot-security registration gateway, as SHA-256 hashes',
      // No token is in the template: the secret starts empty and holds hashes only.
      secretStringValue: SecretValue.unsafePlainText('{"tokens":[]}'),
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The secret holds token hashes that operators add and remove; there is nothing for a rotation function to rotate.',
    });
    return secret;
  }

  private createTokenLedger(removalPolicy: RemovalPolicy): s3.Bucket {
    const bucket = new s3.Bucket(this, 'TokenLedger', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Spent one-time tokens stay spent while the ledger lives: RETAIN keeps it past the stack (see removalPolicy).
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The ledger holds one empty marker per spent one-time token, written only by the registrar; CloudTrail data events cover access if needed.',
    });
    return bucket;
  }
}

function grantRegistration(scope: Construct, role: iam.IRole, policyArns: string[], ledger: s3.IBucket): void {
  const arn = (resource: string) => iotArn(scope, resource);
  attachRolePolicy(scope, 'RegistrarIotPolicy', role, [
    new iam.PolicyStatement({
      // CreateKeysAndCertificate and DescribeEndpoint have no resource type: '*' is the only possible resource.
      actions: ['iot:CreateKeysAndCertificate', 'iot:DescribeEndpoint'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      actions: [
        'iot:CreateThing', 'iot:DescribeThing', 'iot:UpdateThing', 'iot:DeleteThing',
        'iot:ListThingPrincipals', 'iot:AttachThingPrincipal', 'iot:DetachThingPrincipal',
      ],
      resources: [arn('thing')],
    }),
    new iam.PolicyStatement({ actions: ['iot:CreateThing', 'iot:DescribeThingType'], resources: [arn('thingtype')] }),
    new iam.PolicyStatement({
      actions: ['iot:DescribeCertificate', 'iot:UpdateCertificate', 'iot:DeleteCertificate', 'iot:AttachThingPrincipal', 'iot:DetachThingPrincipal'],
      resources: [arn('cert')],
    }),
    new iam.PolicyStatement({
      // AWS IoT authorizes AttachPolicy/DetachPolicy against the target certificate and the policy.
      actions: ['iot:AttachPolicy', 'iot:DetachPolicy'],
      resources: [arn('cert'), ...policyArns],
    }),
  ], 'Things and certificates are named by devices at run time (thing/*, cert/*, thingtype/*); CreateKeysAndCertificate and DescribeEndpoint have no resource type.');
  attachRolePolicy(scope, 'RegistrarLedgerPolicy', role, [new iam.PolicyStatement({
    actions: ['s3:PutObject', 's3:DeleteObject'],
    resources: [ledger.arnForObjects(`${LEDGER_PREFIX}/*`)],
  })], 'One marker per spent token, named by the token\'s hash at run time; the wildcard covers the ledger prefix alone.');
}

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { csrProvisioningSchema } from './csr-provisioning-model';
import { ApiAuthorizationOptions, resolveAuthorization } from '../core/api-authorization';
import { DevicePolicy } from '../core/device-policy';
import { HandlerFunction } from '../core/handler-function';
import { iotArn } from '../core/iot-arn';
import { applyLogGroupRemovalPolicy, checkRemovalPolicy } from '../core/removal';
import { createRestApi } from '../core/rest-api';
import { attachRolePolicy } from '../core/role-policy';

const THING_TYPE_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

/**
 * Options of CsrProvisioningApi.
 */
export interface CsrProvisioningApiProps {
  /**
   * Statements of the shared device policy every provisioned certificate gets.
   *
   * @default - see DevicePolicyProps.statements (scoped to the thing name)
   */
  readonly devicePolicyStatements?: iam.PolicyStatement[];

  /**
   * Thing types a request may name (they must exist in AWS IoT).
   *
   * @default - any existing thing type
   */
  readonly allowedThingTypes?: string[];

  /**
   * Who may call `POST /provision/device`.
   *
   * @default - IAM authorization (grant it with grantProvision)
   */
  readonly apiAuthorization?: ApiAuthorizationOptions;

  /**
   * What deleting the stack does with the data this construct keeps.
   *
   * It applies to the construct's log groups (the function's and the API's access logs).
   * DESTROY deletes them with the stack (`cdk destroy`); RETAIN keeps them (for audits).
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * `POST /provision/device`: a factory (or any IAM-authorized caller) sends a
 * thing name and a CSR and gets the thing, an ACTIVE certificate for the
 * device's own key, the shared thing-scoped policy, the endpoint and the
 * Amazon root CAs, through one RegisterThing call. The CSR is checked before
 * anything is created; a second call for a provisioned thing answers 409
 * unless it asks to `rotate` (the old certificate is deactivated only after
 * the new one is attached).
 */
export class CsrProvisioningApi extends Construct {
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The `POST /provision/device` method. */
  public readonly method: apigw.Method;
  /** The function behind it. */
  public readonly function: lambda.IFunction;
  /** Name of the shared device policy. */
  public readonly devicePolicyName: string;

  constructor(scope: Construct, id: string, props: CsrProvisioningApiProps = {}) {
    super(scope, id);
    const removalPolicy = checkRemovalPolicy(props.removalPolicy, 'removalPolicy');
    for (const type of props.allowedThingTypes ?? []) {
      if (!THING_TYPE_NAME.test(type)) throw new Error(`allowedThingTypes: '${type}' is not a thing type name (1-128 of a-zA-Z0-9:_-)`);
    }
    const devicePolicy = new DevicePolicy(this, 'DevicePolicy', { statements: props.devicePolicyStatements });
    this.devicePolicyName = devicePolicy.policyName;
    const handler = new HandlerFunction(this, 'Handler', {
      handlerName: 'csr-provisioner',
      description: 'Provisions a thing and a certificate for its CSR (POST /provision/device)',
      timeout: Duration.seconds(30),
      environment: {
        DEVICE_POLICY_NAME: devicePolicy.policyName,
        ...(props.allowedThingTypes ? { ALLOWED_THING_TYPES: JSON.stringify(props.allowedThingTypes) } : {}),
      },
    });
    this.function = handler.function;
    grantProvisioning(this, handler.role, devicePolicy.policyArn);

    this.api = createRestApi(this, 'Api', 'Provisions AWS IoT things from CSRs (cdk-iot-security)');
    const model = this.api.addModel('ProvisionDeviceRequest', { contentType: 'application/json', schema: csrProvisioningSchema() });
    const validator = this.api.addRequestValidator('BodyValidator', { validateRequestBody: true, validateRequestParameters: true });
    this.method = this.api.root.addResource('provision').addResource('device').addMethod('POST', new apigw.LambdaIntegration(this.function), {
      ...resolveAuthorization('apiAuthorization', props.apiAuthorization),
      requestModels: { 'application/json': model },
      requestValidator: validator,
    });
    applyLogGroupRemovalPolicy(this, removalPolicy);
  }

  /** Lets a role or user call `POST /provision/device` with SigV4 (no IAM user with long-lived keys is created). */
  public grantProvision(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: [this.method.methodArn] });
  }
}

function grantProvisioning(scope: Construct, role: iam.IRole, devicePolicyArn: string): void {
  const arn = (resource: string) => iotArn(scope, resource);
  attachRolePolicy(scope, 'IotPolicy', role, [
    new iam.PolicyStatement({
      // RegisterThing, CreateCertificateFromCsr and DescribeEndpoint have no resource type: '*' is the only possible resource.
      actions: ['iot:RegisterThing', 'iot:CreateCertificateFromCsr', 'iot:DescribeEndpoint'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      actions: ['iot:CreateThing', 'iot:DescribeThing', 'iot:UpdateThing', 'iot:ListThingPrincipals', 'iot:AttachThingPrincipal', 'iot:AddThingToThingGroup'],
      resources: [arn('thing')],
    }),
    new iam.PolicyStatement({ actions: ['iot:DescribeThingType'], resources: [arn('thingtype')] }),
    new iam.PolicyStatement({ actions: ['iot:DescribeThingGroup', 'iot:AddThingToThingGroup'], resources: [arn('thinggroup')] }),
    new iam.PolicyStatement({
      actions: ['iot:DescribeCertificate', 'iot:UpdateCertificate', 'iot:AttachThingPrincipal'],
      resources: [arn('cert')],
    }),
    new iam.PolicyStatement({
      // AWS IoT authorizes AttachPolicy against the target certificate and the policy.
      actions: ['iot:AttachPolicy'],
      resources: [arn('cert'), devicePolicyArn],
    }),
  ], 'Things, groups, types and certificates are named by callers at run time (thing/*, thinggroup/*, thingtype/*, cert/*); '
    + 'RegisterThing, CreateCertificateFromCsr and DescribeEndpoint have no resource type.');
}

import { Aws, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CertificateSubjectField } from './certificate-subject-field';
import { DeviceCertificateApi } from './device-certificate-api';
import { defaultJitpTemplate, parseJitpTemplateBody } from './jitp-template';
import { ApiAuthorizationOptions } from '../core/api-authorization';
import { CaProvisioningConfig, CaRegistrator } from '../core/ca-registrator';
import { CaVault, CaVaultProps } from '../core/ca-vault';
import { DevicePolicy } from '../core/device-policy';
import { KeyAlgorithm } from '../core/key-algorithm';
import { CaKeyStorage, checkCaKeyOptions, MAX_GENERATED_ROLE_ARN_LENGTH } from '../core/kms-ca-key';
import { createProvisioningRole } from '../core/provisioning-role';
import { renderTemplateBody, replaceStrings } from '../core/provisioning-template';
import { applyLogGroupRemovalPolicy, checkRemovalPolicy } from '../core/removal';
import { validateVerifiers } from '../core/verifiers';

/**
 * How a registered CA carries its JITP template.
 */
export enum JitpTemplateDelivery {
  /**
   * A CloudFormation-managed `AWS::IoT::ProvisioningTemplate` of type JITP,
   * referenced by name from every CA: one template, updated and deleted with
   * the stack.
   */
  PROVISIONING_TEMPLATE = 'PROVISIONING_TEMPLATE',
  /**
   * Each CA carries the template body and the provisioning role itself (the
   * older form); a template change reaches only CAs registered afterwards.
   */
  CA_TEMPLATE_BODY = 'CA_TEMPLATE_BODY',
}

/**
 * Options of JustInTimeProvision.
 */
export interface JustInTimeProvisionProps {
  /**
   * Where CA certificates and private keys are kept.
   *
   * @default - a new encrypted vault (see CaVaultProps)
   */
  readonly vault?: CaVaultProps;

  /**
   * Verifiers by name: Lambda functions that admit or reject each device
   * before `POST /deviceCertificateGenerate` issues its certificate (see
   * VerifierInput / VerifierOutput; `thingName` and `attributes` of the answer
   * are not used: the template names the thing).
   *
   * @default - none: every request for a registered CA gets a certificate
   */
  readonly verifiers?: { [name: string]: lambda.IFunction };

  /**
   * Statements of the shared device policy the default template attaches.
   *
   * @default - see DevicePolicyProps.statements
   */
  readonly devicePolicyStatements?: iam.PolicyStatement[];

  /**
   * Your JITP template body (JSON), instead of the default one. It is checked
   * at synth: at most 10240 characters, parameters only from the
   * `AWS::IoT::Certificate::*` set AWS IoT fills in, one certificate resource
   * on `AWS::IoT::Certificate::Id`, every `Ref` declared. Write
   * `JustInTimeProvision.DEVICE_POLICY_NAME` wherever you want the shared
   * device policy's name. Its provisioning role gets AWS's managed policy
   * `service-role/AWSIoTThingsRegistration`.
   *
   * @default - thing named by the certificate's CN with `thingAttributeFields`
   * as attributes, the shared device policy, certificate ACTIVE; its role may
   * do exactly that
   */
  readonly templateBody?: string;

  /**
   * Subject fields the default template copies into thing attributes (named
   * `organization`, `country`, ...). Each is then a field every device
   * certificate must have: `POST /deviceCertificateGenerate` refuses requests
   * without it, and AWS IoT leaves such a device PENDING_ACTIVATION.
   *
   * @default [CertificateSubjectField.ORGANIZATION]
   */
  readonly thingAttributeFields?: CertificateSubjectField[];

  /**
   * How registered CAs carry the template.
   *
   * @default JitpTemplateDelivery.PROVISIONING_TEMPLATE
   */
  readonly templateDelivery?: JitpTemplateDelivery;

  /**
   * Who may call `POST /caRegister`.
   *
   * @default - IAM authorization
   */
  readonly apiAuthorization?: ApiAuthorizationOptions;

  /**
   * Who may call `POST /deviceCertificateGenerate`.
   *
   * @default - IAM authorization
   */
  readonly deviceCertificateApiAuthorization?: ApiAuthorizationOptions;

  /**
   * Key algorithm of generated CAs when a request names none.
   *
   * @default KeyAlgorithm.ECDSA_P256
   */
  readonly defaultCaKeyAlgorithm?: KeyAlgorithm;

  /**
   * Validity of generated CAs when a request names none.
   *
   * @default Duration.days(3650)
   */
  readonly defaultCaValidity?: Duration;

  /**
   * Validity of device certificates when a request names none (at most 3650 days).
   *
   * @default Duration.days(365)
   */
  readonly defaultDeviceCertificateValidity?: Duration;

  /**
   * Where the CAs that `POST /caRegister` makes keep their private keys: PEM files in the vault,
   * or keys that never leave AWS KMS, so that `POST /deviceCertificateGenerate` signs every device
   * certificate through KMS Sign (see doc/ca-key-custody.md).
   *
   * @default CaKeyStorage.VAULT
   */
  readonly caKeyStorage?: CaKeyStorage;

  /**
   * With `CaKeyStorage.KMS`: roles that may sign with the CA keys (kms:Sign) besides the device
   * certificate API, e.g. a factory that signs its devices' certificates itself. Each is named in
   * the key policy of every CA key made from then on.
   *
   * @default - none: only the stack's functions sign
   */
  readonly caKeySigners?: iam.IRole[];

  /**
   * What deleting the stack does with the data this construct keeps.
   *
   * It applies to the construct's log groups and, unless `vault.removalPolicy` says
   * otherwise, to the CA vault. DESTROY deletes them with the stack (`cdk destroy`): the
   * vault's buckets are emptied first and its key is deleted after KMS's 30-day waiting
   * period, so the CAs' private keys are lost with the stack. RETAIN keeps them. Choose
   * RETAIN in production, at least for the vault.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Just-in-time provisioning (JITP) of devices whose certificates your CAs sign.
 *
 * `POST /caRegister` makes a CA (or imports yours) and registers it with AWS
 * IoT together with a provisioning template. `POST /deviceCertificateGenerate`
 * issues device certificates (from the device's CSR, or with a key it makes
 * for devices that cannot) after the CA's verifier admits the device, and
 * refuses certificates the template could not provision. On a device's first
 * connect AWS IoT runs the template (thing, certificate ACTIVE, the shared
 * policy) and closes the connection; the device's retry connects.
 */
export class JustInTimeProvision extends Construct {
  /**
   * Write this string in `templateBody` wherever the shared device policy's
   * name belongs, e.g. `{"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": "<this>"}}`.
   */
  public static readonly DEVICE_POLICY_NAME = '${cdk-iot-security:DevicePolicyName}';

  /** The CA vault. */
  public readonly vault: CaVault;
  /** The CA registrator and its API. */
  public readonly caRegistrator: CaRegistrator;
  /** The REST API with `POST /caRegister` and `POST /deviceCertificateGenerate`. */
  public readonly api: apigw.RestApi;
  /** The function behind `POST /deviceCertificateGenerate`. */
  public readonly deviceCertificateGenerator: lambda.IFunction;
  /** The role AWS IoT provisions devices as. */
  public readonly provisioningRole: iam.IRole;
  /** The JITP template body (JSON, with CloudFormation references). */
  public readonly templateBody: string;
  /** The provisioning template, with `JitpTemplateDelivery.PROVISIONING_TEMPLATE`. */
  public readonly provisioningTemplate?: iot.CfnProvisioningTemplate;
  /** Name of the shared device policy. */
  public readonly devicePolicyName: string;
  /** The tag value that marks this construct's CAs (`cdk-iot-security:registrar`). */
  public readonly registrarId: string;

  private readonly deviceCertificateApi: DeviceCertificateApi;

  constructor(scope: Construct, id: string, props: JustInTimeProvisionProps = {}) {
    super(scope, id);
    const removalPolicy = checkRemovalPolicy(props.removalPolicy, 'removalPolicy');
    const verifiers = props.verifiers ?? {};
    const verifierNames = validateVerifiers(verifiers);
    const caKeyStorage = checkCaKeyOptions(props.caKeyStorage, props.caKeySigners);
    if (props.templateBody !== undefined && props.thingAttributeFields !== undefined) {
      throw new Error('thingAttributeFields applies to the default template only; with templateBody, write the attributes in your template');
    }
    const attributeFields = props.thingAttributeFields ?? [CertificateSubjectField.ORGANIZATION];
    if (new Set(attributeFields).size > MAX_THING_ATTRIBUTES_WITHOUT_TYPE) {
      throw new Error(`thingAttributeFields: a thing without a thing type holds at most ${MAX_THING_ATTRIBUTES_WITHOUT_TYPE} attributes, `
        + `got ${attributeFields.length}; with more, every device would fail provisioning`);
    }
    // Unique per stack and construct: two constructs never claim each other's CAs.
    this.registrarId = Fn.join('/', [Aws.STACK_NAME, this.node.addr]);

    this.vault = new CaVault(this, 'Vault', { ...props.vault, removalPolicy: props.vault?.removalPolicy ?? removalPolicy });
    const devicePolicy = new DevicePolicy(this, 'DevicePolicy', { statements: props.devicePolicyStatements });
    this.devicePolicyName = devicePolicy.policyName;

    const template = props.templateBody === undefined
      ? defaultJitpTemplate(devicePolicy.policyName, [...new Set(attributeFields)])
      : replaceStrings(
        parseJitpTemplateBody(props.templateBody, 'templateBody', JustInTimeProvision.DEVICE_POLICY_NAME),
        JustInTimeProvision.DEVICE_POLICY_NAME,
        devicePolicy.policyName,
      );
    this.templateBody = renderTemplateBody(this, template);
    const provisioning = createProvisioningRole(this, 'ProvisioningRole', {
      purpose: 'just-in-time provisioned devices',
      devicePolicyArn: devicePolicy.policyArn,
      defaultTemplate: props.templateBody === undefined,
    });
    this.provisioningRole = provisioning.role;

    let registrationConfig: CaProvisioningConfig;
    if ((props.templateDelivery ?? JitpTemplateDelivery.PROVISIONING_TEMPLATE) === JitpTemplateDelivery.PROVISIONING_TEMPLATE) {
      this.provisioningTemplate = new iot.CfnProvisioningTemplate(this, 'ProvisioningTemplate', {
        templateType: 'JITP',
        templateBody: this.templateBody,
        provisioningRoleArn: this.provisioningRole.roleArn,
        enabled: true,
        description: 'Just-in-time provisioning of devices signed by this construct\'s CAs (cdk-iot-security)',
      });
      // AWS IoT may run the template as soon as it exists: the role's permissions come first.
      this.provisioningTemplate.node.addDependency(provisioning.permissions);
      registrationConfig = { templateName: this.provisioningTemplate.ref };
    } else {
      // With KMS, the registrator's environment also names the roles each CA key's policy lets sign.
      const kmsRoleArns = caKeyStorage === CaKeyStorage.KMS ? 3 + (props.caKeySigners?.length ?? 0) : 0;
      checkFitsInEnvironment(template, kmsRoleArns * (MAX_GENERATED_ROLE_ARN_LENGTH + 3));
      registrationConfig = { templateBody: this.templateBody, provisioningRole: this.provisioningRole };
    }

    this.caRegistrator = new CaRegistrator(this, 'CaRegistrator', {
      vault: this.vault,
      registrarId: this.registrarId,
      verifierNames,
      apiAuthorization: props.apiAuthorization,
      defaultKeyAlgorithm: props.defaultCaKeyAlgorithm,
      defaultValidity: props.defaultCaValidity,
      registrationConfig,
      caKeyStorage,
      caKeySigners: props.caKeySigners,
    });
    this.api = this.caRegistrator.api;

    this.deviceCertificateApi = new DeviceCertificateApi(this, 'DeviceCertificateApi', {
      api: this.api,
      vault: this.vault,
      registrarId: this.registrarId,
      verifiers,
      authorization: props.deviceCertificateApiAuthorization,
      defaultValidityDays: (props.defaultDeviceCertificateValidity ?? Duration.days(365)).toDays(),
      caKeyStorage,
    });
    this.deviceCertificateGenerator = this.deviceCertificateApi.function;
    // With KMS, each CA key's policy lets the device certificate API sign with it.
    if (caKeyStorage === CaKeyStorage.KMS) this.caRegistrator.addCaKeySigner(this.deviceCertificateApi.role);
    applyLogGroupRemovalPolicy(this, removalPolicy);
  }

  /** Lets a principal call `POST /caRegister` (with IAM authorization). */
  public grantCaRegister(grantee: iam.IGrantable): iam.Grant {
    return this.caRegistrator.grantInvoke(grantee);
  }

  /** Lets a principal call `POST /deviceCertificateGenerate` (with IAM authorization). */
  public grantDeviceCertificateGenerate(grantee: iam.IGrantable): iam.Grant {
    return this.deviceCertificateApi.grantInvoke(grantee);
  }
}

/** AWS IoT: a thing without a thing type has at most three attributes. */
const MAX_THING_ATTRIBUTES_WITHOUT_TYPE = 3;

/** Lambda's environment holds 4 KB in all, and the CA registrator carries a body template in it. */
const MAX_BODY_IN_ENVIRONMENT = 3072;

function checkFitsInEnvironment(template: Record<string, any>, otherNeeds: number): void {
  // The policy name is still a token here: count it at its longest (128 characters).
  const length = JSON.stringify(template).length + 128;
  const budget = MAX_BODY_IN_ENVIRONMENT - otherNeeds;
  if (length > budget) {
    const kms = otherNeeds > 0 ? `: ${MAX_BODY_IN_ENVIRONMENT} less room for the role ARNs that CaKeyStorage.KMS puts there` : '';
    throw new Error(`templateBody is too long (about ${length} characters) for JitpTemplateDelivery.CA_TEMPLATE_BODY, which passes it through `
      + `the CA registrator's environment (at most ${budget}${kms}); use JitpTemplateDelivery.PROVISIONING_TEMPLATE`);
  }
}

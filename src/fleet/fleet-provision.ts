import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ClaimCertificates } from './claim-certificates';
import { claimPolicyStatements } from './claim-policy';
import { defaultFleetTemplate, parseFleetTemplateBody, requiredParameters } from './fleet-template';
import { GreengrassOptions, GreengrassTokenExchange } from './greengrass';
import { PreProvisioningHook } from './pre-provisioning-hook';
import { CaVault, CaVaultProps } from '../core/ca-vault';
import { DevicePolicy } from '../core/device-policy';
import { iotArn } from '../core/iot-arn';
import { createProvisioningRole } from '../core/provisioning-role';
import { renderTemplateBody, replaceStrings } from '../core/provisioning-template';
import { applyLogGroupRemovalPolicy, checkRemovalPolicy } from '../core/removal';

/** Enough for a factory line per certificate; more is a sign claims are shared too widely. */
const MAX_CLAIM_CERTIFICATES = 10;

/**
 * Options of FleetProvision.
 */
export interface FleetProvisionProps {
  /**
   * Where claim certificates and their private keys are kept.
   *
   * @default - a new encrypted vault (see CaVaultProps)
   */
  readonly vault?: CaVaultProps;

  /**
   * A verifier the pre-provisioning hook asks about every device before
   * RegisterThing provisions it (see VerifierInput / VerifierOutput: the input
   * carries `provisioning` with the template parameters; an answer may carry
   * `parameterOverrides`). It must answer within about 3.5 s: AWS IoT gives the
   * hook 5 s, and a late, failing or negative answer denies the device.
   *
   * @default - none: the hook checks the parameters only
   */
  readonly verifier?: lambda.IFunction;

  /**
   * Statements of the shared device policy the default template attaches.
   *
   * @default - see DevicePolicyProps.statements
   */
  readonly devicePolicyStatements?: iam.PolicyStatement[];

  /**
   * Your fleet provisioning template body (JSON), instead of the default one.
   * Checked at synth: at most 10240 characters, string parameters (of the
   * `AWS::IoT::Certificate::*` set only `::Id`, which AWS IoT fills in), one
   * certificate resource on `AWS::IoT::Certificate::Id`, every `Ref` declared.
   * Write `FleetProvision.DEVICE_POLICY_NAME` where the shared device policy's
   * name belongs. Its provisioning role gets AWS's managed policy
   * `service-role/AWSIoTThingsRegistration`.
   *
   * @default - thing named by the `thingNameParameter` parameter, the shared
   * device policy, certificate ACTIVE; its role may do exactly that
   */
  readonly templateBody?: string;

  /**
   * The RegisterThing parameter that names the thing. The hook refuses values
   * that are not valid thing names before AWS IoT runs the template.
   *
   * @default 'SerialNumber' (with your templateBody, it need not be declared:
   * a `SerialNumber` the device sends is then still checked as a thing name)
   */
  readonly thingNameParameter?: string;

  /**
   * Claim certificates to issue at deploy time (0 for trusted-user
   * provisioning only, see grantCreateProvisioningClaim).
   *
   * @default 1
   */
  readonly claimCertificateCount?: number;

  /**
   * Greengrass V2 core devices: a token exchange role and its role alias, and
   * `iot:AssumeRoleWithCertificate` on it in the device policy.
   *
   * @default - no Greengrass resources
   */
  readonly greengrass?: GreengrassOptions;

  /**
   * What deleting the stack does with the data this construct keeps.
   *
   * It applies to the construct's log groups and, unless `vault.removalPolicy` says
   * otherwise, to the vault. DESTROY deletes them with the stack (`cdk destroy`): the
   * vault's buckets are emptied first and its key is deleted after KMS's 30-day waiting
   * period. RETAIN keeps them. The claim certificates are deleted from AWS IoT and from
   * the vault either way.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Fleet provisioning: devices with a claim certificate (issued at deploy time
 * into the vault, or obtained by a trusted user's app with
 * CreateProvisioningClaim) ask AWS IoT over MQTT for a certificate of their own
 * (CreateKeysAndCertificate, or CreateCertificateFromCsr with a key that never
 * leaves the device), then RegisterThing on this construct's template. A
 * pre-provisioning hook checks each device first.
 */
export class FleetProvision extends Construct {
  /**
   * Write this string in `templateBody` wherever the shared device policy's name belongs.
   */
  public static readonly DEVICE_POLICY_NAME = '${cdk-iot-security:DevicePolicyName}';

  /** The vault that keeps claim certificates and keys. */
  public readonly vault: CaVault;
  /** The fleet provisioning template. */
  public readonly provisioningTemplate: iot.CfnProvisioningTemplate;
  /** The template's name (what devices put in `$aws/provisioning-templates/<name>/provision/json`). */
  public readonly templateName: string;
  /** The template's ARN. */
  public readonly templateArn: string;
  /** The role AWS IoT provisions devices as. */
  public readonly provisioningRole: iam.IRole;
  /** The pre-provisioning hook function. */
  public readonly preProvisioningHook: lambda.IFunction;
  /** Name of the claim certificates' policy (exactly this template's fleet provisioning topics). */
  public readonly claimPolicyName: string;
  /** Name of the shared device policy. */
  public readonly devicePolicyName: string;
  /** AWS IoT ids of the claim certificates issued at deploy time. */
  public readonly claimCertificateIds: string[];
  /** The Greengrass token exchange role, with `greengrass`. */
  public readonly tokenExchangeRole?: iam.IRole;
  /** The Greengrass role alias, with `greengrass`. */
  public readonly roleAlias?: iot.CfnRoleAlias;

  constructor(scope: Construct, id: string, props: FleetProvisionProps = {}) {
    super(scope, id);
    const removalPolicy = checkRemovalPolicy(props.removalPolicy, 'removalPolicy');
    const claimCount = props.claimCertificateCount ?? 1;
    if (!Number.isInteger(claimCount) || claimCount < 0 || claimCount > MAX_CLAIM_CERTIFICATES) {
      throw new Error(`claimCertificateCount must be a whole number from 0 to ${MAX_CLAIM_CERTIFICATES}, got ${claimCount}`);
    }
    const thingNameParameter = props.thingNameParameter ?? (props.templateBody === undefined ? 'SerialNumber' : undefined);
    if (thingNameParameter !== undefined && !/^[A-Za-z0-9_.:-]{1,128}$/.test(thingNameParameter)) {
      throw new Error(`thingNameParameter '${thingNameParameter}' must be 1-128 letters, digits or _.:-`);
    }

    this.vault = new CaVault(this, 'Vault', { ...props.vault, removalPolicy: props.vault?.removalPolicy ?? removalPolicy });
    let greengrass: GreengrassTokenExchange | undefined;
    if (props.greengrass) {
      greengrass = new GreengrassTokenExchange(this, 'Greengrass', props.greengrass);
      this.tokenExchangeRole = greengrass.role;
      this.roleAlias = greengrass.roleAlias;
    }
    const devicePolicy = new DevicePolicy(this, 'DevicePolicy', {
      statements: props.devicePolicyStatements,
      additionalStatements: greengrass?.devicePolicyStatements,
    });
    this.devicePolicyName = devicePolicy.policyName;

    const template = props.templateBody === undefined
      ? defaultFleetTemplate(devicePolicy.policyName, thingNameParameter!)
      : replaceStrings(parseFleetTemplateBody(props.templateBody, 'templateBody', FleetProvision.DEVICE_POLICY_NAME),
        FleetProvision.DEVICE_POLICY_NAME, devicePolicy.policyName);
    if (thingNameParameter !== undefined && !(thingNameParameter in (template.Parameters ?? {}))) {
      throw new Error(`thingNameParameter '${thingNameParameter}' is not a parameter of templateBody`);
    }
    const provisioning = createProvisioningRole(this, 'ProvisioningRole', {
      purpose: 'fleet-provisioned devices',
      devicePolicyArn: devicePolicy.policyArn,
      defaultTemplate: props.templateBody === undefined,
    });
    this.provisioningRole = provisioning.role;

    const hook = new PreProvisioningHook(this, 'PreProvisioningHook', {
      thingNameParameter,
      requiredParameters: requiredParameters(template),
      verifier: props.verifier,
    });
    this.preProvisioningHook = hook.function;

    this.provisioningTemplate = new iot.CfnProvisioningTemplate(this, 'ProvisioningTemplate', {
      templateType: 'FLEET_PROVISIONING',
      templateBody: renderTemplateBody(this, template),
      provisioningRoleArn: provisioning.role.roleArn,
      enabled: true,
      description: 'Fleet provisioning of devices with claim certificates (cdk-iot-security)',
      preProvisioningHook: { targetArn: hook.function.functionArn, payloadVersion: '2020-04-01' },
    });
    // AWS IoT may run the template as soon as it exists: the role's permissions come first.
    this.provisioningTemplate.node.addDependency(provisioning.permissions);
    this.templateName = this.provisioningTemplate.ref;
    this.templateArn = iotArn(this, 'provisioningtemplate', this.templateName);
    hook.allowInvocationBy(this.templateArn);

    const claimPolicy = new iot.CfnPolicy(this, 'ClaimPolicy', {
      policyDocument: new iam.PolicyDocument({ statements: claimPolicyStatements(this, this.templateName) }),
    });
    this.claimPolicyName = claimPolicy.ref;
    this.claimCertificateIds = claimCount === 0 ? [] : new ClaimCertificates(this, 'ClaimCertificates', {
      vault: this.vault,
      count: claimCount,
      claimPolicyName: claimPolicy.ref,
      claimPolicyArn: claimPolicy.attrArn,
      templateName: this.templateName,
    }).certificateIds;
    applyLogGroupRemovalPolicy(this, removalPolicy);
  }

  /**
   * Lets a role read the claim certificates and their private keys from the
   * vault (for the factory that installs them); every other principal is
   * refused the keys by the bucket policy.
   */
  public grantReadClaimCertificates(role: iam.IRole): iam.Policy {
    return this.vault.grantReadClaimCredentials(role);
  }

  /**
   * Lets an app (the trusted user) call `iot:CreateProvisioningClaim` for this
   * template: a temporary claim certificate, valid five minutes, for one device.
   */
  public grantCreateProvisioningClaim(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['iot:CreateProvisioningClaim'], resourceArns: [this.templateArn] });
  }
}

import { Aws, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeviceActivator } from './device-activator';
import { ApiAuthorizationOptions } from '../core/api-authorization';
import { CaRegistrator } from '../core/ca-registrator';
import { CaVault, CaVaultProps } from '../core/ca-vault';
import { DevicePolicy } from '../core/device-policy';
import { KeyAlgorithm } from '../core/key-algorithm';
import { CaKeyStorage, checkCaKeyOptions } from '../core/kms-ca-key';
import { applyLogGroupRemovalPolicy, checkRemovalPolicy } from '../core/removal';
import { validateVerifiers } from '../core/verifiers';

/**
 * Options of JustInTimeRegistration.
 */
export interface JustInTimeRegistrationProps {
  /**
   * Where CA certificates and private keys are kept.
   *
   * @default - a new encrypted vault (see CaVaultProps)
   */
  readonly vault?: CaVaultProps;

  /**
   * Verifiers by name: Lambda functions that admit or reject each device of a
   * CA registered with that `verifierName` (see VerifierInput / VerifierOutput).
   *
   * @default - none: every device signed by a registered CA is admitted
   */
  readonly verifiers?: { [name: string]: lambda.IFunction };

  /**
   * Statements of the shared device policy.
   *
   * @default - see DevicePolicyProps.statements
   */
  readonly devicePolicyStatements?: iam.PolicyStatement[];

  /**
   * Who may call `POST /caRegister`.
   *
   * @default - IAM authorization
   */
  readonly apiAuthorization?: ApiAuthorizationOptions;

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
   * Where the CAs that `POST /caRegister` makes keep their private keys: PEM files in the vault,
   * or keys that never leave AWS KMS (see doc/ca-key-custody.md). With `CaKeyStorage.KMS`, give
   * `caKeySigners`: JITR has no device certificate API, so the roles that sign your devices'
   * certificates must be named in each CA key's policy.
   *
   * @default CaKeyStorage.VAULT
   */
  readonly caKeyStorage?: CaKeyStorage;

  /**
   * With `CaKeyStorage.KMS`: the roles that sign device certificates with the CA keys (kms:Sign),
   * your factory's, say. Each is named in the key policy of every CA key made from then on.
   *
   * @default - none (required with CaKeyStorage.KMS)
   */
  readonly caKeySigners?: iam.IRole[];

  /**
   * How many activator instances run at once. AWS IoT allows about 10
   * activations a second per account. One activation is seven calls made one
   * after another (six to the control plane, one to the verifier); each instance
   * activates the devices of its batch (up to 5) at once, so the default two
   * instances keep ten activations in flight and reach the ceiling as long as one
   * activation takes under a second (`npm run bench:onboarding` measures it on
   * the local cloud). Raise this only if your activations take longer: throttled
   * calls come back after short waits, so more instances than needed only draw
   * ThrottlingExceptions.
   *
   * @default 2
   */
  readonly activatorConcurrency?: number;

  /**
   * Attempts at an activation before its event moves to the dead-letter queue.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

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
 * Just-in-time registration (JITR) of devices whose certificates your CAs sign.
 *
 * `POST /caRegister` makes a CA (or imports yours), registers it with AWS IoT
 * with auto-registration, and keeps it in an encrypted vault. When a device
 * first connects, AWS IoT registers its certificate as PENDING_ACTIVATION and
 * publishes an event; a topic rule queues it, and the device activator runs the
 * CA's verifier, creates the thing, attaches the shared device policy and the
 * thing, and activates the certificate. The device's retry then connects.
 */
export class JustInTimeRegistration extends Construct {
  /** The CA vault. */
  public readonly vault: CaVault;
  /** The CA registrator and its API. */
  public readonly caRegistrator: CaRegistrator;
  /** The REST API with `POST /caRegister`. */
  public readonly api: apigw.RestApi;
  /** The device activator function. */
  public readonly activator: lambda.IFunction;
  /** The queue of certificate-registered events. */
  public readonly queue: sqs.IQueue;
  /** Events the activator could not process after `maxReceiveCount` attempts. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** In alarm while the dead-letter queue holds any event. */
  public readonly deadLetterAlarm: cloudwatch.IAlarm;
  /** The topic rule that feeds the queue. */
  public readonly topicRule: iot.CfnTopicRule;
  /** Name of the shared device policy. */
  public readonly devicePolicyName: string;
  /** The tag value that marks this construct's CAs (`cdk-iot-security:registrar`). */
  public readonly registrarId: string;

  constructor(scope: Construct, id: string, props: JustInTimeRegistrationProps = {}) {
    super(scope, id);
    const removalPolicy = checkRemovalPolicy(props.removalPolicy, 'removalPolicy');
    const verifiers = props.verifiers ?? {};
    const verifierNames = validateVerifiers(verifiers);
    checkCaKeyOptions(props.caKeyStorage, props.caKeySigners,
      'JITR has no device certificate API, so without signer roles no one could sign a device certificate with the CA keys '
      + '(name your factory\'s signing role, or keep CaKeyStorage.VAULT)');
    // Unique per stack and construct: two JITR constructs never claim each other's CAs.
    this.registrarId = Fn.join('/', [Aws.STACK_NAME, this.node.addr]);

    this.vault = new CaVault(this, 'Vault', { ...props.vault, removalPolicy: props.vault?.removalPolicy ?? removalPolicy });
    const devicePolicy = new DevicePolicy(this, 'DevicePolicy', { statements: props.devicePolicyStatements });
    this.devicePolicyName = devicePolicy.policyName;

    this.caRegistrator = new CaRegistrator(this, 'CaRegistrator', {
      vault: this.vault,
      registrarId: this.registrarId,
      verifierNames,
      apiAuthorization: props.apiAuthorization,
      defaultKeyAlgorithm: props.defaultCaKeyAlgorithm,
      defaultValidity: props.defaultCaValidity,
      caKeyStorage: props.caKeyStorage,
      caKeySigners: props.caKeySigners,
    });
    this.api = this.caRegistrator.api;

    const activator = new DeviceActivator(this, 'Activator', {
      registrarId: this.registrarId,
      devicePolicyName: devicePolicy.policyName,
      devicePolicyArn: devicePolicy.policyArn,
      verifiers,
      concurrency: props.activatorConcurrency ?? 2,
      maxReceiveCount: props.maxReceiveCount ?? 5,
    });
    this.activator = activator.function;
    this.queue = activator.buffer.queue;
    this.deadLetterQueue = activator.buffer.deadLetterQueue;
    this.deadLetterAlarm = activator.buffer.deadLetterAlarm;
    this.topicRule = activator.topicRule;
    applyLogGroupRemovalPolicy(this, removalPolicy);
  }

  /** Lets a principal call `POST /caRegister` (with IAM authorization). */
  public grantCaRegister(grantee: iam.IGrantable): iam.Grant {
    return this.caRegistrator.grantInvoke(grantee);
  }

  /** Messages waiting in the dead-letter queue: each is a device not yet activated. */
  public metricDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible(props);
  }
}

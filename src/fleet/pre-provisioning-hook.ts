import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { HandlerFunction } from '../core/handler-function';
import { attachRolePolicy } from '../core/role-policy';

/** AWS IoT waits 5 s for a hook; the verifier gets what is left after the hook's own work. */
const VERIFIER_TIMEOUT_MS = 3500;

export interface PreProvisioningHookProps {
  /** The template parameter that names the thing, checked to be a valid thing name. */
  readonly thingNameParameter?: string;
  /** Parameters a device must send. */
  readonly requiredParameters: string[];
  readonly verifier?: lambda.IFunction;
}

/**
 * The template's pre-provisioning hook: checks a device's RegisterThing
 * parameters and asks the user's verifier, answering
 * `{allowProvisioning, parameterOverrides}` inside AWS IoT's 5 s budget.
 */
export class PreProvisioningHook extends Construct {
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: PreProvisioningHookProps) {
    super(scope, id);
    const handler = new HandlerFunction(this, 'Handler', {
      handlerName: 'fleet-provisioning-hook',
      description: 'Pre-provisioning hook: checks RegisterThing parameters and asks the verifier (fleet provisioning)',
      // AWS IoT gives up after 5 s and denies; the function must not outlive that.
      timeout: Duration.seconds(5),
      memorySize: 256,
      environment: {
        ...(props.thingNameParameter ? { THING_NAME_PARAMETER: props.thingNameParameter } : {}),
        REQUIRED_PARAMETERS: JSON.stringify(props.requiredParameters),
        ...(props.verifier ? { VERIFIER_ARN: props.verifier.functionArn } : {}),
        VERIFIER_TIMEOUT_MS: String(VERIFIER_TIMEOUT_MS),
      },
    });
    this.function = handler.function;
    if (props.verifier) {
      attachRolePolicy(this, 'VerifierPolicy', handler.role, [new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [props.verifier.functionArn],
      })]);
    }
  }

  /** Lets AWS IoT invoke the hook for this template only, from this account only (no confused deputy). */
  public allowInvocationBy(templateArn: string): void {
    this.function.addPermission('InvokedByAwsIot', {
      principal: new iam.ServicePrincipal('iot.amazonaws.com'),
      sourceArn: templateArn,
      sourceAccount: Stack.of(this).account,
    });
  }
}

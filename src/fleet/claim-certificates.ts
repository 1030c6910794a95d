import { CustomResource, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CaVault } from '../core/ca-vault';
import { createCustomResourceProvider } from '../core/custom-resource-provider';
import { HandlerFunction } from '../core/handler-function';
import { iotArn } from '../core/iot-arn';
import { attachRolePolicy } from '../core/role-policy';

export interface ClaimCertificatesProps {
  readonly vault: CaVault;
  /** How many claim certificates to issue. */
  readonly count: number;
  readonly claimPolicyName: string;
  readonly claimPolicyArn: string;
  readonly templateName: string;
}

/**
 * Claim certificates issued at deploy time by a custom resource (CDK's
 * Provider framework): AWS IoT makes each certificate and key, the issuer
 * keeps them in the vault (SSE-KMS) and attaches the claim policy. Deleting
 * the stack detaches, deactivates and deletes them, and removes the files.
 */
export class ClaimCertificates extends Construct {
  /** AWS IoT ids of the claim certificates, in order. */
  public readonly certificateIds: string[] = [];

  constructor(scope: Construct, id: string, props: ClaimCertificatesProps) {
    super(scope, id);
    const issuer = new HandlerFunction(this, 'Issuer', {
      handlerName: 'claim-certificate-issuer',
      description: 'Issues fleet provisioning claim certificates at deploy time and deletes them with the stack',
      timeout: Duration.minutes(2),
      environment: {
        VAULT_BUCKET: props.vault.bucket.bucketName,
        VAULT_PREFIX: props.vault.prefix,
        VAULT_KEY_ARN: props.vault.encryptionKey.keyArn,
      },
    });
    props.vault.grantManageClaimCredentials(issuer.role);
    // The keys are fenced off from the moment they exist, whether or not a reader is granted yet.
    props.vault.restrictClaimKeyReadsTo([issuer.role]);
    grantClaimIssuance(this, issuer.role, props.claimPolicyArn);

    const provider = createCustomResourceProvider(this, 'Provider', issuer.function);
    for (let index = 0; index < props.count; index++) {
      const claim = new CustomResource(this, `Claim${index + 1}`, {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::IotClaimCertificate',
        properties: { ClaimPolicyName: props.claimPolicyName, TemplateName: props.templateName },
      });
      this.certificateIds.push(claim.getAttString('CertificateId'));
    }
  }
}

function grantClaimIssuance(scope: Construct, role: iam.IRole, claimPolicyArn: string): void {
  const certificates = iotArn(scope, 'cert');
  attachRolePolicy(scope, 'IotPolicy', role, [
    new iam.PolicyStatement({
      // CreateKeysAndCertificate has no resource type: '*' is the only possible resource.
      actions: ['iot:CreateKeysAndCertificate'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      actions: ['iot:DescribeCertificate', 'iot:UpdateCertificate', 'iot:DeleteCertificate', 'iot:ListAttachedPolicies'],
      resources: [certificates],
    }),
    new iam.PolicyStatement({
      // AWS IoT authorizes AttachPolicy/DetachPolicy against the target certificate and the policy.
      actions: ['iot:AttachPolicy', 'iot:DetachPolicy'],
      resources: [certificates, claimPolicyArn],
    }),
  ], 'Claim certificate ids are assigned by AWS IoT at deploy time (cert/*); CreateKeysAndCertificate has no resource type.');
}

import { Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CaVault } from './ca-vault';
import { attachRolePolicy } from './role-policy';

/**
 * Where the CAs a construct makes (`POST /caRegister` without `caCertificatePem`) keep their
 * private keys. See doc/ca-key-custody.md for the trade-off.
 */
export enum CaKeyStorage {
  /**
   * In the CA vault: a PEM private key in S3, encrypted under the vault's KMS key, readable only by
   * the functions that sign with it. The key exists outside an HSM whenever a function signs, and
   * can be taken out (by an administrator who changes the bucket policy) to sign offline.
   */
  VAULT = 'VAULT',
  /**
   * In AWS KMS: one asymmetric key per CA (ECC_NIST_P256, ECC_NIST_P384 or RSA_2048/3072/4096,
   * SIGN_VERIFY), made by the CA registrator, whose key policy lets only the stack's signing
   * functions (and `caKeySigners`) sign. Every certificate is signed through KMS Sign; the private
   * key never exists outside KMS. The vault keeps the CA certificate and a record naming the key,
   * and `POST /caRegister` answers the key's ARN (`kmsKeyArn`) for signers outside the stack.
   */
  KMS = 'KMS',
}

/** The KMS key specs of the CA key algorithms (KeyAlgorithm), the only ones the registrator may create. */
const CA_KEY_SPECS = ['ECC_NIST_P256', 'ECC_NIST_P384', 'RSA_2048', 'RSA_3072', 'RSA_4096'];

/** Each signer's ARN goes into the registrator's environment and each CA key's policy; a handful is what a factory needs. */
export const MAX_CA_KEY_SIGNERS = 10;

/** Longest role ARN CloudFormation generates (role names of up to 64 characters), for environment size estimates. */
export const MAX_GENERATED_ROLE_ARN_LENGTH = 'arn:aws-us-gov:iam::123456789012:role/'.length + 64;

/** The file name of a CA private key in the vault (the same as CaVault's fence uses). */
const PRIVATE_KEY_FILE = 'ca.private_key.pem';

/**
 * Checks caKeyStorage and caKeySigners of a construct that makes CAs, and answers the storage.
 * `signersRequired` says why caKeySigners is required with KMS, when it is.
 */
export function checkCaKeyOptions(storage: CaKeyStorage | undefined, signers: iam.IRole[] | undefined, signersRequired?: string): CaKeyStorage {
  const chosen = storage ?? CaKeyStorage.VAULT;
  if (chosen !== CaKeyStorage.VAULT && chosen !== CaKeyStorage.KMS) {
    throw new Error(`caKeyStorage must be CaKeyStorage.VAULT or CaKeyStorage.KMS, got ${JSON.stringify(storage)}`);
  }
  if (chosen === CaKeyStorage.VAULT && signers !== undefined) {
    throw new Error('caKeySigners applies to CaKeyStorage.KMS only: with CaKeyStorage.VAULT the CA keys are PEM files in the vault, '
      + 'read by the stack\'s own functions; set caKeyStorage: CaKeyStorage.KMS, or leave caKeySigners out');
  }
  if (chosen === CaKeyStorage.KMS && signersRequired && (signers === undefined || signers.length === 0)) {
    throw new Error(`caKeyStorage KMS needs caKeySigners: ${signersRequired}`);
  }
  if ((signers?.length ?? 0) > MAX_CA_KEY_SIGNERS) {
    throw new Error(`caKeySigners: at most ${MAX_CA_KEY_SIGNERS} roles (each is named in every CA key's key policy), got ${signers!.length}`);
  }
  return chosen;
}

/**
 * What the CA registrator gets with CaKeyStorage.KMS: permission to create CA keys and nothing
 * else in IAM (each key's own key policy, written by the registrator, grants the rest), the
 * environment naming the roles that key policy lets sign, and a vault that refuses CA private keys.
 */
export class KmsCaKeyWiring {
  private readonly signers: iam.IRole[] = [];

  constructor(private readonly scope: Construct, private readonly registratorRole: iam.IRole, vault: CaVault) {
    attachRolePolicy(scope, 'CaKeyCreation', registratorRole, [new iam.PolicyStatement({
      // kms:CreateKey cannot be scoped to a resource: the key does not exist yet, so '*' is the only
      // possible resource. The conditions allow exactly a CA key: an asymmetric signing key of a CA
      // key spec, with material made by KMS, in this Region only, and the key policy lockout check
      // never bypassed. (No tags at creation, so no kms:TagResource on every key: the key policy lets
      // the registrator tag its own keys afterwards.)
      actions: ['kms:CreateKey'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:KeyUsage': 'SIGN_VERIFY', 'kms:KeySpec': CA_KEY_SPECS, 'kms:KeyOrigin': 'AWS_KMS' },
        Bool: { 'kms:MultiRegion': 'false' },
        BoolIfExists: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' },
      },
    })], 'kms:CreateKey has no resource type (the key does not exist yet); conditions restrict it to single-Region SIGN_VERIFY keys of the CA key specs, never bypassing the lockout check.');
    // A vault of KMS-held CAs never holds a CA private key: the bucket refuses to store one, whoever writes it.
    vault.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CaKeysLiveInKmsNotInTheVault',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [vault.bucket.arnForObjects(vault.prefix ? `${vault.prefix}/*/${PRIVATE_KEY_FILE}` : `*/${PRIVATE_KEY_FILE}`)],
    }));
  }

  /** Names a role in the key policy of every CA key made from now on: it may sign with them (kms:Sign). */
  addSigner(role: iam.IRole): void {
    if (!this.signers.includes(role)) this.signers.push(role);
    if (this.signers.length > MAX_CA_KEY_SIGNERS + 1) {
      throw new Error(`at most ${MAX_CA_KEY_SIGNERS} roles besides the device certificate generator may sign with the CA keys`);
    }
  }

  /** The CA registrator's environment: its own role (which creates and sets up the keys) and the signer roles. */
  environment(): Record<string, string> {
    const stack = Stack.of(this.scope);
    return {
      CA_KEY_STORAGE: CaKeyStorage.KMS,
      CA_KEY_ADMIN_ROLE_ARN: this.registratorRole.roleArn,
      CA_KEY_SIGNER_ROLE_ARNS: Lazy.string({ produce: () => stack.toJsonString(this.signers.map((role) => role.roleArn)) }),
    };
  }
}

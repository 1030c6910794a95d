/**
 * CaKeyStorage.KMS on the constructs that make CAs: what the CA registrator and the device
 * certificate generator are given (environment, IAM), the vault's refusal of CA private keys, and
 * the combinations refused at synth because they could not work.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CaKeyStorage, CaRegistrator, CaVault, JitpTemplateDelivery, KeyAlgorithm } from '../../src';
import { jitpStack } from '../support/jitp-stack';
import { actionsOf, jitrStack, statementsOfRole } from '../support/jitr-stack';

function functionWith(template: Template, variable: string): { id: string; variables: Record<string, any>; role: string } {
  const functions = Object.entries(template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { [variable]: Match.anyValue() } } },
  }));
  expect(functions).toHaveLength(1);
  const [id, fn] = functions[0];
  return { id, variables: fn.Properties.Environment.Variables, role: fn.Properties.Role['Fn::GetAtt'][0] };
}

const registrator = (template: Template) => functionWith(template, 'DEFAULT_CA_VALIDITY_DAYS');
const generator = (template: Template) => functionWith(template, 'DEFAULT_DEVICE_VALIDITY_DAYS');

/** Every KMS action any policy of the template grants, with its resources. */
function kmsGrants(template: Template): Array<{ role: string; actions: string[]; resource: unknown; condition: unknown }> {
  const grants: Array<{ role: string; actions: string[]; resource: unknown; condition: unknown }> = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      const actions = actionsOf(statement).filter((action) => action.startsWith('kms:'));
      if (actions.length === 0) continue;
      for (const role of policy.Properties.Roles) {
        grants.push({ role: role.Ref, actions, resource: statement.Resource, condition: statement.Condition });
      }
    }
  }
  return grants;
}

describe('JustInTimeProvision with CaKeyStorage.KMS', () => {
  const { template: synth, stack } = jitpStack((scope) => ({
    caKeyStorage: CaKeyStorage.KMS,
    caKeySigners: [iam.Role.fromRoleArn(scope, 'Factory', 'arn:aws:iam::111122223333:role/factory-signer', { mutable: false })],
  }));
  const template = synth();

  test('the registrator is told to keep CA keys in KMS, which roles sign with them, and its own role', () => {
    const { variables, role } = registrator(template);
    expect(variables.CA_KEY_STORAGE).toBe('KMS');
    expect(variables.CA_KEY_ADMIN_ROLE_ARN).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
    const signers = JSON.parse(stack.resolve(variables.CA_KEY_SIGNER_ROLE_ARNS)['Fn::Join'][1]
      .map((part: unknown) => (typeof part === 'string' ? part : JSON.stringify(part).replace(/"/g, "'"))).join(''));
    // The factory's role (caKeySigners) and the device certificate generator's role (a GetAtt).
    expect(signers).toEqual(['arn:aws:iam::111122223333:role/factory-signer', `{'Fn::GetAtt':['${generator(template).role}','Arn']}`]);
    expect(generator(template).variables.CA_KEY_STORAGE).toBe('KMS');
  });

  test('IAM: the registrator may create only single-Region SIGN_VERIFY keys of the CA key specs (no resource type: "*"), nothing else in KMS', () => {
    const creation = kmsGrants(template).filter((grant) => grant.actions.includes('kms:CreateKey'));
    expect(creation).toEqual([{
      role: registrator(template).role,
      actions: ['kms:CreateKey'],
      resource: '*',
      condition: {
        StringEquals: {
          'kms:KeyUsage': 'SIGN_VERIFY',
          'kms:KeySpec': ['ECC_NIST_P256', 'ECC_NIST_P384', 'RSA_2048', 'RSA_3072', 'RSA_4096'],
          'kms:KeyOrigin': 'AWS_KMS',
        },
        Bool: { 'kms:MultiRegion': 'false' },
        BoolIfExists: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' },
      },
    }]);
    // Sign, GetPublicKey, TagResource and ScheduleKeyDeletion come from each CA key's own policy, which names the roles:
    // no identity policy grants them, so no wildcard over every key in the account. The one exception is the
    // deletion of the keys with the stack, held to keys of this construct's registrar tag (kms-ca-key-deletion.test.ts).
    const withStack = (grant: { actions: string[]; condition: any }) => grant.actions.join() === 'kms:ScheduleKeyDeletion'
      && grant.condition?.StringEquals?.['aws:ResourceTag/cdk-iot-security:registrar'] !== undefined;
    expect(kmsGrants(template).filter(withStack)).toHaveLength(1);
    for (const grant of kmsGrants(template).filter((candidate) => !withStack(candidate))) {
      expect(grant.actions.filter((action) => !['kms:CreateKey', 'kms:Decrypt', 'kms:GenerateDataKey'].includes(action))).toEqual([]);
    }
    expect(kmsGrants(template).filter((grant) => grant.role === generator(template).role).flatMap((grant) => grant.actions).sort())
      .toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  test('the vault refuses CA private keys from anyone, and still fences off those of CAs made before the switch', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy'))
      .map((resource) => resource.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
      .find((statements) => statements.some((statement) => statement.Sid === 'CaKeysLiveInKmsNotInTheVault'))!;
    const refusal = policy.find((statement) => statement.Sid === 'CaKeysLiveInKmsNotInTheVault')!;
    expect(refusal).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:PutObject' });
    expect(refusal.Condition).toBeUndefined();
    expect(JSON.stringify(refusal.Resource)).toContain('/*/ca.private_key.pem');
    expect(policy.some((statement) => statement.Sid === 'OnlyCaKeyHoldersReadCaPrivateKeys')).toBe(true);
  });

  test('with the vault (the default) nothing changes: no KMS variables, no CreateKey, no refusal of private keys', () => {
    const plain = jitpStack().template();
    expect(registrator(plain).variables.CA_KEY_STORAGE).toBeUndefined();
    expect(generator(plain).variables.CA_KEY_STORAGE).toBe('VAULT');
    expect(kmsGrants(plain).some((grant) => grant.actions.includes('kms:CreateKey'))).toBe(false);
    expect(JSON.stringify(plain.findResources('AWS::S3::BucketPolicy'))).not.toContain('CaKeysLiveInKmsNotInTheVault');
  });

  test('CA_TEMPLATE_BODY delivery keeps room in the registrator\'s environment for the signer role ARNs', () => {
    const attributes = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`a${i}`, { Ref: 'AWS::IoT::Certificate::CommonName' }]));
    const body = (padding: number) => JSON.stringify({
      Parameters: { 'AWS::IoT::Certificate::CommonName': { Type: 'String' }, 'AWS::IoT::Certificate::Id': { Type: 'String' } },
      Resources: {
        thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' }, AttributePayload: attributes } },
        certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
        policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'x'.repeat(padding) } },
      },
    });
    const props = { templateDelivery: JitpTemplateDelivery.CA_TEMPLATE_BODY, templateBody: body(2200) };
    expect(() => jitpStack(props)).not.toThrow();
    expect(() => jitpStack({ ...props, caKeyStorage: CaKeyStorage.KMS }))
      .toThrow(/templateBody is too long .* \(at most 2\d{3}: 3072 less room for the role ARNs that CaKeyStorage.KMS puts there\)/);
  });
});

describe('JustInTimeRegistration with CaKeyStorage.KMS', () => {
  test('needs caKeySigners: JITR has no device certificate API, so no one else could sign with the CA keys', () => {
    expect(() => jitrStack({ caKeyStorage: CaKeyStorage.KMS }))
      .toThrow(/caKeyStorage KMS needs caKeySigners: JITR has no device certificate API/);
    expect(() => jitrStack({ caKeyStorage: CaKeyStorage.KMS, caKeySigners: [] })).toThrow(/needs caKeySigners/);
  });

  test('with a factory role: the registrator\'s key policies name it, and the registrator may create CA keys', () => {
    const { template, stack } = jitrStack((scope) => ({
      caKeyStorage: CaKeyStorage.KMS,
      caKeySigners: [new iam.Role(scope, 'FactorySigner', { assumedBy: new iam.AccountRootPrincipal() })],
      defaultCaKeyAlgorithm: KeyAlgorithm.RSA_3072,
    }));
    const synthesized = template();
    const { variables } = registrator(synthesized);
    expect(variables).toMatchObject({ CA_KEY_STORAGE: 'KMS', DEFAULT_KEY_ALGORITHM: 'RSA-3072' });
    expect(JSON.stringify(stack.resolve(variables.CA_KEY_SIGNER_ROLE_ARNS))).toMatch(/FactorySigner[0-9A-F]{8}/);
    expect(statementsOfRole(synthesized, registrator(synthesized).role).some((statement) => actionsOf(statement).includes('kms:CreateKey'))).toBe(true);
    // The factory role gets nothing from the construct's IAM: the key policies grant it kms:Sign.
    expect(kmsGrants(synthesized).filter((grant) => grant.role.startsWith('FactorySigner'))).toEqual([]);
  });
});

describe('refused at synth', () => {
  test('caKeySigners with the vault', () => {
    expect(() => jitpStack((stack) => ({ caKeySigners: [iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r')] })))
      .toThrow(/caKeySigners applies to CaKeyStorage.KMS only/);
    expect(() => jitrStack((stack) => ({ caKeyStorage: CaKeyStorage.VAULT, caKeySigners: [iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r')] })))
      .toThrow(/caKeySigners applies to CaKeyStorage.KMS only/);
  });

  test('more than ten signer roles', () => {
    expect(() => jitpStack((stack) => ({
      caKeyStorage: CaKeyStorage.KMS,
      caKeySigners: Array.from({ length: 11 }, (_, i) => iam.Role.fromRoleArn(stack, `R${i}`, `arn:aws:iam::111122223333:role/r${i}`)),
    }))).toThrow(/caKeySigners: at most 10 roles/);
  });

  test('a storage that is not one (from an untyped language)', () => {
    expect(() => jitpStack({ caKeyStorage: 'HSM' as CaKeyStorage })).toThrow(/caKeyStorage must be CaKeyStorage.VAULT or CaKeyStorage.KMS/);
  });

  test('CaRegistrator.addCaKeySigner with the vault', () => {
    const stack = new Stack(new App(), 'S');
    const vault = new CaVault(stack, 'Vault');
    const caRegistrator = new CaRegistrator(stack, 'Registrator', { vault, registrarId: 'r' });
    expect(caRegistrator.caKeyStorage).toBe(CaKeyStorage.VAULT);
    expect(() => caRegistrator.addCaKeySigner(iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::111122223333:role/r')))
      .toThrow(/addCaKeySigner applies to CaKeyStorage.KMS only/);
  });
});

test('a CaRegistrator of its own with KMS: signers added later are in its environment too', () => {
  const stack = new Stack(new App(), 'S');
  const vault = new CaVault(stack, 'Vault', { prefix: 'cas' });
  const caRegistrator = new CaRegistrator(stack, 'Registrator', { vault, registrarId: 'r', caKeyStorage: CaKeyStorage.KMS });
  caRegistrator.addCaKeySigner(iam.Role.fromRoleArn(stack, 'Later', 'arn:aws:iam::111122223333:role/later'));
  const template = Template.fromStack(stack);
  const { variables } = registrator(template);
  expect(stack.resolve(variables.CA_KEY_SIGNER_ROLE_ARNS)).toBe('["arn:aws:iam::111122223333:role/later"]');
  // With a prefix, the refusal covers the prefix's CA folders.
  expect(JSON.stringify(template.findResources('AWS::S3::BucketPolicy'))).toContain('/cas/*/ca.private_key.pem');
});

/**
 * Tags the CA registrator puts on every CA it registers. The device activator
 * reads them to skip CAs another stack owns and to find the CA's verifier.
 */
export const REGISTRAR_TAG = 'cdk-iot-security:registrar';
export const VERIFIER_TAG = 'cdk-iot-security:verifier';

export interface CaOwnershipTags {
  readonly registrar?: string;
  readonly verifierName?: string;
}

export function ownershipTags(registrarId: string, verifierName: string | undefined): { Key: string; Value: string }[] {
  const tags = [{ Key: REGISTRAR_TAG, Value: registrarId }];
  if (verifierName) tags.push({ Key: VERIFIER_TAG, Value: verifierName });
  return tags;
}

export function readOwnershipTags(tags: readonly { Key?: string; Value?: string }[]): CaOwnershipTags {
  const find = (key: string) => tags.find((tag) => tag.Key === key)?.Value;
  return { registrar: find(REGISTRAR_TAG), verifierName: find(VERIFIER_TAG) };
}

import type { ProvisionRequest } from './request';

/** What RegisterThing takes: a template body and the values of its parameters. */
export interface RegistrationInput {
  readonly templateBody: string;
  readonly parameters: Record<string, string>;
}

const STRING = { Type: 'String' } as const;

/**
 * The provisioning template for one request, built from nothing each call: no module-level
 * object is ever mutated, so a warm container cannot carry one request's groups, attributes or
 * statements into the next (the seed's bug).
 *
 * The thing, the certificate issued by AWS IoT from the CSR (ACTIVE, attached to the thing) and
 * the shared device policy (attached to the certificate, by name: never a policy per device).
 * An existing thing is updated as the request says: attributes merged, the thing type replaced
 * when one is given, groups added.
 */
export function buildRegistration(request: ProvisionRequest, devicePolicyName: string): RegistrationInput {
  const parameters: Record<string, string> = { ThingName: request.thingName, CSR: request.csrPem };
  const declared: Record<string, typeof STRING> = { ThingName: STRING, CSR: STRING };
  const thing: Record<string, unknown> = { ThingName: { Ref: 'ThingName' } };
  if (request.thingTypeName !== undefined) {
    declared.ThingTypeName = STRING;
    parameters.ThingTypeName = request.thingTypeName;
    thing.ThingTypeName = { Ref: 'ThingTypeName' };
  }
  if (request.attributes !== undefined) thing.AttributePayload = { ...request.attributes };
  if (request.thingGroups !== undefined) thing.ThingGroups = [...request.thingGroups];

  const template = {
    Parameters: declared,
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: thing,
        OverrideSettings: { AttributePayload: 'MERGE', ThingTypeName: 'REPLACE', ThingGroups: 'MERGE' },
      },
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: { CertificateSigningRequest: { Ref: 'CSR' }, Status: 'ACTIVE' },
      },
      policy: {
        Type: 'AWS::IoT::Policy',
        Properties: { PolicyName: devicePolicyName },
      },
    },
  };
  return { templateBody: JSON.stringify(template), parameters };
}

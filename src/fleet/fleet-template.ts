import { activatedCertificateWithPolicy, CERTIFICATE_ID_PARAMETER, parseTemplateBody } from '../core/provisioning-template';

/** Names a fleet template's parameters may have (letters, digits, and the separators AWS's examples use). */
const PARAMETER_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Certificate parameters are JITP's: in fleet provisioning only the certificate id is filled in. */
const CERTIFICATE_PARAMETER_PREFIX = 'AWS::IoT::Certificate::';

/**
 * The default fleet provisioning template: the thing is named by the
 * `thingNameParameter` the device sends in RegisterThing, the new certificate
 * is activated and the shared device policy attached. Nothing else.
 */
export function defaultFleetTemplate(devicePolicyName: string, thingNameParameter: string): Record<string, any> {
  return {
    Parameters: {
      [thingNameParameter]: { Type: 'String' },
      [CERTIFICATE_ID_PARAMETER]: { Type: 'String' },
    },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: { ThingName: { Ref: thingNameParameter } },
      },
      ...activatedCertificateWithPolicy(devicePolicyName),
    },
  };
}

/** Checks a user's fleet provisioning template body at synth (see parseTemplateBody) and returns it parsed. */
export function parseFleetTemplateBody(body: string, prop: string, policyNamePlaceholder: string): Record<string, any> {
  return parseTemplateBody(body, {
    prop,
    policyNamePlaceholder,
    sections: ['Parameters', 'Mappings', 'Conditions', 'Resources', 'DeviceConfiguration'],
    checkParameterName: (name) => {
      if (name.startsWith(CERTIFICATE_PARAMETER_PREFIX) && name !== CERTIFICATE_ID_PARAMETER) {
        throw new Error(`${prop}: parameter '${name}' is filled in only by JITP; in fleet provisioning the device sends the parameters `
          + `(only ${CERTIFICATE_ID_PARAMETER} comes from AWS IoT)`);
      }
      if (!name.startsWith(CERTIFICATE_PARAMETER_PREFIX) && !PARAMETER_NAME.test(name)) {
        throw new Error(`${prop}: parameter name '${name}' must be 1-128 letters, digits or _.:-`);
      }
    },
  });
}

/** Parameters a device must send: declared without a Default (the certificate id comes from AWS IoT). */
export function requiredParameters(template: Record<string, any>): string[] {
  return Object.entries<Record<string, unknown>>(template.Parameters ?? {})
    .filter(([name, declaration]) => name !== CERTIFICATE_ID_PARAMETER && declaration.Default === undefined)
    .map(([name]) => name);
}

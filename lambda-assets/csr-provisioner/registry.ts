import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  DescribeThingTypeCommand,
  IoTClient,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { badRequest, invalidField } from '../shared/http/client-error';
import { isNotFound } from '../shared/iot/aws-errors';

/** Reads of the AWS IoT registry, made before anything is created: every refusal here leaves nothing behind. */

/** The thing type must exist, not be deprecated (AWS IoT gives deprecated types no new things) and be allowed. */
export async function checkThingType(iot: IoTClient, thingTypeName: string | undefined, allowed: readonly string[] | undefined): Promise<void> {
  if (thingTypeName === undefined) return;
  if (allowed && !allowed.includes(thingTypeName)) {
    throw badRequest('ThingTypeNotAllowed', `ThingTypeName: '${thingTypeName}' is not one this API provisions; allowed: ${allowed.join(', ')}`);
  }
  let type;
  try {
    type = await iot.send(new DescribeThingTypeCommand({ thingTypeName }));
  } catch (error) {
    if (isNotFound(error)) throw badRequest('ThingTypeNotFound', `ThingTypeName: thing type '${thingTypeName}' does not exist in this account and Region`);
    throw error;
  }
  if (type.thingTypeMetadata?.deprecated) {
    throw invalidField('ThingTypeName', `thing type '${thingTypeName}' is deprecated; AWS IoT associates no new things with it`);
  }
}

/** Every group must exist and be a static group (a dynamic group's members are chosen by its query). */
export async function checkThingGroups(iot: IoTClient, thingGroups: readonly string[] | undefined): Promise<void> {
  if (!thingGroups) return;
  await Promise.all(thingGroups.map(async (thingGroupName, index) => {
    let group;
    try {
      group = await iot.send(new DescribeThingGroupCommand({ thingGroupName }));
    } catch (error) {
      if (isNotFound(error)) {
        throw badRequest('ThingGroupNotFound', `ThingGroups[${index}]: thing group '${thingGroupName}' does not exist in this account and Region`);
      }
      throw error;
    }
    if (group.queryString !== undefined) {
      throw invalidField(`ThingGroups[${index}]`, `'${thingGroupName}' is a dynamic thing group; its query decides its members`);
    }
  }));
}

export interface ActiveCertificate {
  readonly certificateId: string;
  readonly certificatePem: string;
}

const CERTIFICATE_ARN = /:cert\/([0-9a-f]{64})$/;

/**
 * The ACTIVE certificates attached to the thing, in the order AWS IoT lists them; none when the
 * thing does not exist. Other principals (Cognito identities) and other statuses do not count.
 */
export async function activeCertificatesOf(iot: IoTClient, thingName: string): Promise<{ thingExists: boolean; active: ActiveCertificate[] }> {
  try {
    await iot.send(new DescribeThingCommand({ thingName }));
  } catch (error) {
    if (isNotFound(error)) return { thingExists: false, active: [] };
    throw error;
  }
  const certificateIds: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListThingPrincipalsCommand({ thingName, nextToken }));
    for (const principal of page.principals ?? []) {
      const id = CERTIFICATE_ARN.exec(principal)?.[1];
      if (id) certificateIds.push(id);
    }
    nextToken = page.nextToken;
  } while (nextToken);

  const active: ActiveCertificate[] = [];
  for (const certificateId of certificateIds) {
    let description;
    try {
      ({ certificateDescription: description } = await iot.send(new DescribeCertificateCommand({ certificateId })));
    } catch (error) {
      if (isNotFound(error)) continue; // deleted between the listing and now
      throw error;
    }
    if (description?.status === 'ACTIVE' && description.certificatePem) {
      active.push({ certificateId, certificatePem: description.certificatePem });
    }
  }
  return { thingExists: true, active };
}

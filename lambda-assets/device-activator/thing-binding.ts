import { CreateThingCommand, IoTClient, ListThingPrincipalsCommand } from '@aws-sdk/client-iot';
import { isAlreadyExists } from '../shared/iot/aws-errors';

export type ThingBinding = 'free' | 'taken';

/**
 * Makes sure a thing named `thingName` exists and is not already bound to
 * another certificate. CreateThing is idempotent for identical input; a thing
 * that exists with other attributes is fine as long as no other certificate
 * holds it. A thing held by another certificate is 'taken': a second device
 * must not inherit an existing device's identity (and its policy variables).
 */
export async function claimThing(
  iot: IoTClient,
  thingName: string,
  attributes: Record<string, string> | undefined,
  certificateArn: string,
): Promise<ThingBinding> {
  try {
    await iot.send(new CreateThingCommand({
      thingName,
      attributePayload: attributes ? { attributes } : undefined,
    }));
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const principals = await listPrincipals(iot, thingName);
  return principals.some((principal) => principal !== certificateArn) ? 'taken' : 'free';
}

async function listPrincipals(iot: IoTClient, thingName: string): Promise<string[]> {
  const principals: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListThingPrincipalsCommand({ thingName, nextToken }));
    principals.push(...(page.principals ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return principals;
}

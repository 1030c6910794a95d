import {
  CACertificateDescription,
  DescribeCACertificateCommand,
  IoTClient,
  ListTagsForResourceCommand,
  RegistrationConfig,
} from '@aws-sdk/client-iot';
import { isNotFound } from './aws-errors';
import { CaOwnershipTags, readOwnershipTags } from './ownership-tags';

/** A CA as AWS IoT holds it: its description, its provisioning template (JITP) and our ownership tags. */
export interface CaRegistration {
  readonly description: CACertificateDescription;
  /** Present when the CA was registered with a provisioning template. */
  readonly registrationConfig?: RegistrationConfig;
  /** Empty when the CA carries none of our tags (or AWS gave no ARN to read them by). */
  readonly tags: CaOwnershipTags;
}

/**
 * DescribeCACertificate, then every page of the CA's tags. Undefined when AWS IoT has no CA
 * with this id; other errors propagate (the SDK has already retried throttling).
 */
export async function readCaRegistration(iot: IoTClient, caCertificateId: string): Promise<CaRegistration | undefined> {
  let described;
  try {
    described = await iot.send(new DescribeCACertificateCommand({ certificateId: caCertificateId }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const description = described.certificateDescription;
  if (!description) return undefined;
  const tags = description.certificateArn ? await listTags(iot, description.certificateArn) : [];
  return { description, registrationConfig: described.registrationConfig, tags: readOwnershipTags(tags) };
}

/** True when the CA registrator with this registrar id registered the CA. */
export function isRegisteredBy(ca: CaRegistration, registrarId: string): boolean {
  return ca.tags.registrar === registrarId;
}

async function listTags(iot: IoTClient, resourceArn: string): Promise<{ Key?: string; Value?: string }[]> {
  const tags = [];
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListTagsForResourceCommand({ resourceArn, nextToken }));
    tags.push(...(page.tags ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return tags;
}

import { IoTClient } from '@aws-sdk/client-iot';
import { isRegisteredBy, readCaRegistration } from '../shared/iot/ca-registration';

export interface CaOwnership {
  /** True when this construct's CA registrator registered the CA. */
  readonly owned: boolean;
  readonly verifierName?: string;
}

export type LookupCa = (caCertificateId: string) => Promise<CaOwnership>;

/**
 * Reads a CA's ownership tags, cached per container: a burst of devices under
 * one CA then costs two control-plane calls, not two per device. Devices activated
 * at once share the lookup in flight; a failed lookup is not kept.
 */
export function cachedCaOwnership(
  iot: IoTClient,
  registrarId: string,
  options: { ttlMs?: number; now?: () => number } = {},
): LookupCa {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { value: Promise<CaOwnership>; expires: number }>();
  return async (caCertificateId) => {
    const hit = cache.get(caCertificateId);
    if (hit && hit.expires > now()) return hit.value;
    const entry = { value: lookup(iot, registrarId, caCertificateId), expires: now() + ttlMs };
    cache.set(caCertificateId, entry);
    try {
      return await entry.value;
    } catch (error) {
      if (cache.get(caCertificateId) === entry) cache.delete(caCertificateId);
      throw error;
    }
  };
}

async function lookup(iot: IoTClient, registrarId: string, caCertificateId: string): Promise<CaOwnership> {
  const ca = await readCaRegistration(iot, caCertificateId);
  return ca && isRegisteredBy(ca, registrarId)
    ? { owned: true, verifierName: ca.tags.verifierName }
    : { owned: false };
}

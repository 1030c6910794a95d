import { DescribeEndpointCommand, IoTClient } from '@aws-sdk/client-iot';

/**
 * The account's ATS data endpoint (`<prefix>-ats.iot.<region>.amazonaws.com`), the one whose
 * server certificate chains to the Amazon roots devices are given. It never changes for an
 * account and Region, so it is asked once per container; a failed call is not cached.
 */
export function cachedDataEndpoint(iot: IoTClient): () => Promise<string> {
  let endpoint: Promise<string> | undefined;
  return () => {
    endpoint ??= describeDataEndpoint(iot).catch((error: unknown) => {
      endpoint = undefined;
      throw error;
    });
    return endpoint;
  };
}

async function describeDataEndpoint(iot: IoTClient): Promise<string> {
  const { endpointAddress } = await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
  if (!endpointAddress) throw new Error('DescribeEndpoint returned no endpoint address');
  return endpointAddress;
}

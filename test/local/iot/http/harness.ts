import { IoTClient } from '@aws-sdk/client-iot';
import { IotModel, startControlPlane, type IotModelOptions } from '../../../../local/iot';

export interface TestCloud {
  readonly model: IotModel;
  readonly url: string;
  readonly client: IoTClient;
  /** A client with the SDK's retries off, so a throttled call fails at once. */
  readonly noRetryClient: IoTClient;
  close(): Promise<void>;
}

/** The control plane on a free port, and official SDK clients pointed at it. */
export async function startTestCloud(options: IotModelOptions = { rateLimits: false }): Promise<TestCloud> {
  const model = new IotModel(options);
  const server = await startControlPlane({ model });
  const config = { endpoint: server.url, region: model.region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const client = new IoTClient(config);
  const noRetryClient = new IoTClient({ ...config, maxAttempts: 1 });
  return {
    model,
    url: server.url,
    client,
    noRetryClient,
    close: async () => {
      client.destroy();
      noRetryClient.destroy();
      await server.close();
    },
  };
}

import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { configureEvents, EventConfigurationResult } from './event-configuration';
import { createIotClient } from '../shared/iot/iot-client';
import { createLogger, describeError } from '../shared/logging/logger';

/**
 * onEvent of the IoT registry event configuration custom resource (CDK Provider framework):
 * wiring only; the work is in event-configuration.ts. A throw fails the deployment step with its message.
 */
const iot = createIotClient();
const rootLogger = createLogger({ function: 'iot-event-configuration' });

export async function handler(event: CloudFormationCustomResourceEvent, context?: Context): Promise<EventConfigurationResult> {
  const logger = rootLogger.child({
    requestId: context?.awsRequestId,
    requestType: event.RequestType,
    logicalResourceId: event.LogicalResourceId,
    stackId: event.StackId,
  });
  try {
    return await configureEvents(iot, logger, event);
  } catch (error) {
    logger.error('event configuration request failed', describeError(error));
    throw error;
  }
}

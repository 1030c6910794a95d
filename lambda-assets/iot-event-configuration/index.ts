import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { configureEvents, EventConfigurationResult } from './event-configuration';
import { createIotClient } from '../shared/iot/iot-client';
import { withResourceRequestLogging } from '../shared/logging/custom-resource-logging';
import { createLogger } from '../shared/logging/logger';

/**
 * onEvent of the IoT registry event configuration custom resource (CDK Provider framework):
 * wiring only; the work is in event-configuration.ts. A throw fails the deployment step with its message.
 */
const iot = createIotClient();
const rootLogger = createLogger({ function: 'iot-event-configuration' });

export async function handler(event: CloudFormationCustomResourceEvent, context?: Context): Promise<EventConfigurationResult> {
  return withResourceRequestLogging(rootLogger, event, context, 'event configuration request failed',
    (logger) => configureEvents(iot, logger, event));
}

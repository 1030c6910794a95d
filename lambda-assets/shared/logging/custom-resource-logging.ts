import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { describeError, Logger } from './logger';

/**
 * Runs one custom resource request (CDK Provider framework onEvent) with a logger that names the
 * request, the resource and the stack; a failure is logged with `failureMessage` and thrown on,
 * so the framework fails the deployment step with its message.
 */
export async function withResourceRequestLogging<T>(
  rootLogger: Logger,
  event: CloudFormationCustomResourceEvent,
  context: Context | undefined,
  failureMessage: string,
  work: (logger: Logger) => Promise<T>,
): Promise<T> {
  const logger = rootLogger.child({
    requestId: context?.awsRequestId,
    requestType: event.RequestType,
    logicalResourceId: event.LogicalResourceId,
    stackId: event.StackId,
  });
  try {
    return await work(logger);
  } catch (error) {
    logger.error(failureMessage, describeError(error));
    throw error;
  }
}

/**
 * Creates and deletes custom resources of the CDK Provider framework as CloudFormation and the
 * framework would together: the request goes to the user's onEvent function (through the local
 * Lambda service, so it runs as its own role), isComplete is polled on the waiter's schedule, and
 * the answer becomes the resource's Ref and attributes, or its CREATE_FAILED / DELETE_FAILED reason.
 */
import { randomUUID } from 'node:crypto';
import {
  attributesOf, CustomResourceRequest, MAX_RESPONSE_BYTES, requestProperties, RequestType, responseUrl, successBody,
} from './protocol';
import type { ProviderFramework } from './provider-framework';
import type { AccessControl } from '../iam/types';
import { LambdaServiceError, type LocalFunctionInvoker } from '../lambda/types';

export interface CustomResourcesOptions {
  readonly region: string;
  readonly accountId: string;
  readonly functions: LocalFunctionInvoker;
  /** Checks the framework function's role may invoke the user's functions, as its Lambda calls would be checked. */
  readonly accessControl: AccessControl;
  /**
   * The runner's own bound on one request, onEvent and isComplete polling together (the Provider's
   * totalTimeout and the resource's ServiceTimeout also apply). @default 300
   */
  readonly timeoutSeconds?: number;
  readonly log?: (line: Record<string, unknown>) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A custom resource of a template, properties resolved. */
export interface CustomResourceDeclaration {
  readonly stackName: string;
  readonly stackId: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** A custom resource its provider created. */
export interface CreatedCustomResource extends CustomResourceDeclaration {
  readonly provider: ProviderFramework;
  /** The Create request's id. */
  readonly requestId: string;
  readonly physicalId: string;
  /** The answer's Data, as the provider gave it. */
  readonly data: Readonly<Record<string, unknown>>;
  /** The answer's Data as `Fn::GetAtt` sees it. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly noEcho: boolean;
}

/** A request the provider failed (or CloudFormation refused its answer): the stack event's status and reason. */
export class CustomResourceFailure extends Error {
  constructor(
    readonly stackName: string,
    readonly logicalId: string,
    readonly resourceType: string,
    readonly status: 'CREATE_FAILED' | 'DELETE_FAILED',
    /** The reason CloudFormation shows for the resource. */
    readonly statusReason: string,
  ) {
    super(`${stackName}/${logicalId} (${resourceType}) ${status}: ${statusReason}`);
    this.name = 'CustomResourceFailure';
  }
}

/** The provider answered FAILED (what the framework puts in Reason). */
class ProviderFailed extends Error {}

/** CloudFormation itself refused the answer (its own status reason). */
class ResponseRefused extends Error {}

type Answer = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const INVOKE = 'lambda:InvokeFunction';
const DEFAULT_TIMEOUT_SECONDS = 300;
const CLOUDFORMATION_SERVICE_TIMEOUT_SECONDS = 3600;

export class CustomResources {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: CustomResourcesOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Sends Create; answers the resource, or throws CustomResourceFailure (CREATE_FAILED). */
  async create(declaration: CustomResourceDeclaration, provider: ProviderFramework): Promise<CreatedCustomResource> {
    const request = this.request('Create', declaration);
    const answer = await this.send(request, declaration, provider, 'CREATE_FAILED');
    return {
      ...declaration,
      provider,
      requestId: request.RequestId,
      physicalId: answer.physicalId,
      data: answer.data,
      attributes: attributesOf(answer.data),
      noEcho: answer.noEcho,
    };
  }

  /** Sends Delete with the resource's PhysicalResourceId and properties; throws CustomResourceFailure (DELETE_FAILED). */
  async delete(resource: CreatedCustomResource): Promise<void> {
    const request = this.request('Delete', resource, resource.physicalId);
    await this.send(request, resource, resource.provider, 'DELETE_FAILED');
  }

  private request(type: RequestType, declaration: CustomResourceDeclaration, physicalId?: string): CustomResourceRequest {
    const requestId = randomUUID();
    const serviceToken = String(declaration.properties.ServiceToken);
    return {
      RequestType: type,
      ServiceToken: serviceToken,
      ResponseURL: responseUrl(this.options.region, declaration.stackId, declaration.logicalId, requestId),
      StackId: declaration.stackId,
      RequestId: requestId,
      LogicalResourceId: declaration.logicalId,
      ...(physicalId !== undefined ? { PhysicalResourceId: physicalId } : {}),
      ResourceType: declaration.resourceType,
      ResourceProperties: requestProperties(declaration.properties),
    };
  }

  private async send(
    request: CustomResourceRequest,
    declaration: CustomResourceDeclaration,
    provider: ProviderFramework,
    status: 'CREATE_FAILED' | 'DELETE_FAILED',
  ): Promise<{ physicalId: string; data: Record<string, unknown>; noEcho: boolean }> {
    const { stackName, logicalId, resourceType } = declaration;
    const fail = (reason: string) => new CustomResourceFailure(stackName, logicalId, resourceType, status, reason);
    this.options.log?.({ event: 'custom-resource', stack: declaration.stackName, logicalId: declaration.logicalId, requestType: request.RequestType });
    try {
      const answer = await this.answer(request, declaration, provider);
      const physicalId = answer.PhysicalResourceId as string;
      const data = isRecord(answer.Data) ? answer.Data : {};
      const noEcho = answer.NoEcho === true;
      if (Buffer.byteLength(successBody(request, physicalId, answer.Data, noEcho || undefined)) > MAX_RESPONSE_BYTES) {
        throw new ResponseRefused('Response object is too long.');
      }
      this.options.log?.({
        event: 'custom-resource',
        stack: declaration.stackName,
        logicalId: declaration.logicalId,
        requestType: request.RequestType,
        status: 'SUCCESS',
        physicalId,
      });
      return { physicalId, data, noEcho };
    } catch (error) {
      if (error instanceof ResponseRefused) throw fail(error.message);
      if (error instanceof ProviderFailed) {
        throw fail(`Received response status [FAILED] from custom resource. Message returned: ${error.message} (RequestId: ${request.RequestId})`);
      }
      throw error;
    }
  }

  /** What the framework would answer (its onEvent, then its waiter's isComplete calls). Throws ProviderFailed with the framework's Reason. */
  private async answer(request: CustomResourceRequest, declaration: CustomResourceDeclaration, provider: ProviderFramework): Promise<Answer> {
    const onEvent = await this.invokeUserFunction(provider, provider.onEventFunctionArn, request);
    // framework.js createResponseEvent: the request, the answer over it, and a PhysicalResourceId defaulted.
    const physicalId = (onEvent.PhysicalResourceId as string | undefined) || (request.RequestType === 'Create' ? request.RequestId : request.PhysicalResourceId);
    if (request.RequestType === 'Delete' && physicalId !== request.PhysicalResourceId) {
      throw new ProviderFailed(`DELETE: cannot change the physical resource ID from "${request.PhysicalResourceId}" to "${onEvent.PhysicalResourceId}" during deletion`);
    }
    const event: Answer = { ...request, ...onEvent, PhysicalResourceId: physicalId };
    if (!provider.isCompleteFunctionArn) return event;

    const serviceTimeout = Number(declaration.properties.ServiceTimeout ?? CLOUDFORMATION_SERVICE_TIMEOUT_SECONDS);
    const limitSeconds = Math.min(this.options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS, serviceTimeout);
    const started = Date.now();
    let interval = provider.waiter.intervalSeconds;
    for (let attempt = 0; ; attempt++) {
      const result = await this.invokeUserFunction(provider, provider.isCompleteFunctionArn, event);
      if (result.IsComplete) {
        return { ...event, ...result, Data: { ...(isRecord(event.Data) ? event.Data : {}), ...(isRecord(result.Data) ? result.Data : {}) } };
      }
      if (isRecord(result.Data) && Object.keys(result.Data).length > 0) {
        throw new ProviderFailed('"Data" is not allowed if "IsComplete" is "False"');
      }
      if (attempt >= provider.waiter.maxAttempts) throw new ProviderFailed('Operation timed out');
      if ((Date.now() - started) / 1000 + interval > limitSeconds) {
        throw new ProviderFailed(`Operation timed out (the local runner stopped waiting after ${limitSeconds} s)`);
      }
      await this.sleep(interval * 1000);
      interval *= provider.waiter.backoffRate;
    }
  }

  /**
   * Invokes a user function as the framework function does (its role must be allowed
   * lambda:InvokeFunction on it); a function error becomes the framework's Reason.
   */
  private async invokeUserFunction(provider: ProviderFramework, functionArn: string, payload: unknown): Promise<Answer> {
    const { functions, accessControl, accountId } = this.options;
    const target = functions.find(functionArn);
    const decision = accessControl.authorize({
      principal: { arn: provider.frameworkFunction.role.arn, accountId },
      action: INVOKE,
      resource: target?.functionArn ?? functionArn,
      ...(target?.resourcePolicy ? { resourcePolicy: target.resourcePolicy } : {}),
    });
    if (!decision.allowed) throw new ProviderFailed(`AccessDeniedException: ${decision.reason}`);
    let result;
    try {
      result = await functions.invoke(functionArn, payload);
    } catch (error) {
      if (error instanceof LambdaServiceError) throw new ProviderFailed(`${error.code}: ${error.message}`);
      throw error;
    }
    if (result.functionError) {
      const functionName = functionArn.split(':').pop();
      const message = (isRecord(result.payload) && typeof result.payload.errorMessage === 'string' && result.payload.errorMessage)
        || result.error?.errorMessage || 'error';
      throw new ProviderFailed([message, '', `Logs: /aws/lambda/${functionName}`, ''].join('\n'));
    }
    return isRecord(result.payload) ? result.payload : {};
  }
}

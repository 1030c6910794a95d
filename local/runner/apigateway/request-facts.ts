import type { ReceivedRequest } from './http-request';
import type { IamCaller } from './iam-authorization';
import type { RestApiDefinition } from './rest-api-definition';
import type { RouteMatch } from './router';

/** What API Gateway knows about a routed request; the proxy event and the REQUEST authorizer event are built from it. */
export interface RequestFacts {
  readonly api: RestApiDefinition;
  readonly accountId: string;
  readonly stage: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly request: ReceivedRequest;
  readonly route: RouteMatch;
  /** The request path relative to the stage, as received (`/items/42`). */
  readonly path: string;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly requestTimeEpoch: number;
  /** Set for AWS_IAM methods once the signature was checked. */
  readonly caller?: IamCaller;
}

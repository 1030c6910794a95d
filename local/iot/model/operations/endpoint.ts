/** DescribeEndpoint. */
import type * as Iot from '@aws-sdk/client-iot';
import { requireOneOf } from '../validation';
import type { ControlPlaneContext } from './context';

const ENDPOINT_TYPES = ['iot:Data', 'iot:Data-ATS', 'iot:CredentialProvider', 'iot:Jobs'];

/**
 * iot:Data-ATS and iot:Data answer the local MQTT gateway's address (the `dataEndpoint` option);
 * there is no separate legacy or credentials endpoint locally, so iot:CredentialProvider and
 * iot:Jobs answer the same address.
 */
export async function describeEndpoint(ctx: ControlPlaneContext, input: Iot.DescribeEndpointRequest = {}): Promise<Iot.DescribeEndpointResponse> {
  ctx.throttle('DescribeEndpoint');
  if (input.endpointType !== undefined) requireOneOf(input.endpointType, ENDPOINT_TYPES, 'endpointType');
  return { endpointAddress: ctx.endpoint() };
}

/** The account's event configurations (which `$aws/events/...` messages AWS IoT publishes). */
import type * as Iot from '@aws-sdk/client-iot';
import type { ControlPlaneContext } from './context';

/** Enables or disables the event types named; the others keep their setting. Answers `{}`. */
export async function updateEventConfigurations(
  ctx: ControlPlaneContext,
  input: Iot.UpdateEventConfigurationsRequest = {},
): Promise<Iot.UpdateEventConfigurationsResponse> {
  ctx.throttle('UpdateEventConfigurations');
  ctx.events.update(input.eventConfigurations);
  return {};
}

/** Every event type with its `Enabled` (all false until enabled), and when the configuration was created and last changed. */
export async function describeEventConfigurations(
  ctx: ControlPlaneContext,
  _input: Iot.DescribeEventConfigurationsRequest = {},
): Promise<Iot.DescribeEventConfigurationsResponse> {
  ctx.throttle('DescribeEventConfigurations');
  return ctx.events.describe();
}

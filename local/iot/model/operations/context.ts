import type { AmazonIssuer } from '../amazon-ca';
import type { EventConfigurations } from '../events';
import type { Registry } from '../registry';

/**
 * What the control-plane operations share: the state of one {@link IotControlPlane} that the
 * per-family operation modules (this folder) read and change. `throttle` and `certificateDeleted`
 * call back into the control plane, so a subclass's overrides (IotModel's) still apply.
 */
export interface ControlPlaneContext {
  readonly accountId: string;
  readonly registry: Registry;
  /** The account's event configurations (UpdateEventConfigurations). */
  readonly events: EventConfigurations;
  readonly issuer: AmazonIssuer;
  /** Clock in epoch milliseconds. */
  readonly clock: () => number;
  /** The account's registration code (GetRegistrationCode, and the CN of verification certificates). */
  readonly registrationCode: string;
  /** The address DescribeEndpoint answers. */
  readonly endpoint: () => string;
  /** Takes a token from the operation's rate limit; ThrottlingException when there is none. */
  throttle(operation: string): void;
  /** Called after DeleteCertificate removed a certificate, for state kept outside the registry. */
  certificateDeleted(certificateId: string): void;
}

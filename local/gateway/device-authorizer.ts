import type { GatewayCertificate, GatewayRegistry } from './registry-view';
import { inspectCertificate } from '../../lambda-assets/shared/pki';
import { authorize, dataPlaneArn, type IotDataAction, type IotPolicyContext } from '../iot/policy';

export interface AuthorizationResult {
  readonly allowed: boolean;
  readonly reason: string;
}

/**
 * Decides MQTT actions of an admitted device by the policies attached to its
 * certificate, re-read on every decision: a policy detached or a certificate
 * deactivated takes effect at once, as on AWS.
 */
export class DeviceAuthorizer {
  /** Parsed when a policy first reads `iot:Certificate.Subject.*`: few do, and every accepted connect would pay for it. */
  private certificateSubject?: Record<string, string>;

  constructor(
    private readonly registry: GatewayRegistry,
    private readonly certificate: GatewayCertificate,
    private readonly clientId: string,
    private readonly certificatePem: string,
  ) {}

  get certificateId(): string {
    return this.certificate.certificateId;
  }

  connect(): AuthorizationResult {
    return this.decide('iot:Connect', dataPlaneArn('client', this.clientId, this.registry));
  }

  publish(topic: string): AuthorizationResult {
    return this.decide('iot:Publish', dataPlaneArn('topic', topic, this.registry));
  }

  receive(topic: string): AuthorizationResult {
    return this.decide('iot:Receive', dataPlaneArn('topic', topic, this.registry));
  }

  subscribe(topicFilter: string): AuthorizationResult {
    return this.decide('iot:Subscribe', dataPlaneArn('topicfilter', topicFilter, this.registry));
  }

  private decide(action: IotDataAction, resourceArn: string): AuthorizationResult {
    const current = this.registry.certificate(this.certificate.certificateId);
    if (current?.status !== 'ACTIVE') return { allowed: false, reason: `the certificate is ${current?.status ?? 'deleted'}` };
    const policies = this.registry.policyDocumentsOfPrincipal(this.certificate.certificateArn);
    return authorize(policies, action, resourceArn, this.context());
  }

  /** The policy variables of this connection: the thing is the one named by the client id, if attached. */
  private context(): IotPolicyContext {
    const attached = this.registry.thingsOfPrincipal(this.certificate.certificateArn).includes(this.clientId);
    const thing = attached ? this.registry.thing(this.clientId) : undefined;
    const subjectOf = () => (this.certificateSubject ??= policySubjectOf(this.certificatePem));
    return {
      region: this.registry.region,
      accountId: this.registry.accountId,
      clientId: this.clientId,
      thingName: thing?.thingName,
      isAttached: attached,
      thingTypeName: thing?.thingTypeName,
      thingAttributes: thing?.attributes,
      certificateId: this.certificate.certificateId,
      get certificateSubject() {
        return subjectOf();
      },
    };
  }
}

/** Our subject field names -> the names of `iot:Certificate.Subject.<name>`. */
const POLICY_SUBJECT_NAMES: Record<string, string> = {
  commonName: 'CommonName',
  countryName: 'Country',
  organizationName: 'Organization',
  organizationUnitName: 'OrganizationalUnit',
  stateName: 'State',
  serialNumber: 'SerialNumber',
  dnQualifier: 'DistinguishedNameQualifier',
};

function policySubjectOf(certificatePem: string): Record<string, string> {
  const subject: Record<string, string> = {};
  for (const [field, value] of Object.entries(inspectCertificate(certificatePem).subject)) {
    const name = POLICY_SUBJECT_NAMES[field];
    if (name && typeof value === 'string') subject[name] = value;
  }
  return subject;
}

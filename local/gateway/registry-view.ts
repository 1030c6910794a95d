/**
 * What the MQTT gateway needs from the AWS IoT registry (local/iot/model).
 * Kept as an interface so the gateway depends on behaviour, not on the model's internals.
 */
export interface GatewayCertificate {
  readonly certificateId: string;
  readonly certificateArn: string;
  readonly status: string;
  readonly caCertificateId?: string;
  readonly creationDate?: Date;
}

export interface GatewayCa {
  readonly certificateId: string;
  readonly status: string;
  readonly autoRegistrationStatus?: string;
  readonly certificateMode?: string;
  /** Present when the CA carries a JITP template. */
  readonly registrationConfig?: unknown;
  readonly certificatePem: string;
}

export interface GatewayThing {
  readonly thingName: string;
  readonly thingTypeName?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface GatewayRegistry {
  readonly accountId: string;
  readonly region: string;
  certificate(certificateId: string): GatewayCertificate | undefined;
  caCertificate(caCertificateId: string): GatewayCa | undefined;
  thing(thingName: string): GatewayThing | undefined;
  thingsOfPrincipal(certificateArn: string): string[];
  policyDocumentsOfPrincipal(certificateArn: string): { policyName: string; document: string }[];
  findRegisteredIssuer(certificatePem: string, presentedChainPems: string[]): Promise<GatewayCa | undefined>;
  registerPendingCertificate(certificatePem: string, caCertificateId: string): GatewayCertificate;
  provisionJustInTime(certificatePem: string, caCertificateId: string): Promise<{ provisioned: boolean; reason?: string }>;
}

/**
 * The MQTT data-plane actions the local gateway authorizes, as AWS IoT Core
 * names them (developer guide, "AWS IoT Core policy actions").
 */
export type IotDataAction = 'iot:Connect' | 'iot:Publish' | 'iot:Subscribe' | 'iot:Receive' | 'iot:RetainPublish';

/** The kind of data-plane resource an action is authorized against. */
export type DataPlaneResourceKind = 'client' | 'topic' | 'topicfilter';

/**
 * What AWS IoT Core knows about a connection when it evaluates a policy: the
 * values of the policy variables and condition keys.
 */
export interface IotPolicyContext {
  /** The Region of the endpoint, e.g. `eu-west-1`. */
  readonly region: string;
  /** The 12-digit account id. */
  readonly accountId: string;
  /** The MQTT client id of the connection (`iot:ClientId`). */
  readonly clientId: string;
  /**
   * The thing the client id names, when a thing of that name exists and this
   * certificate is attached to it (`iot:Connection.Thing.ThingName`). AWS IoT
   * takes the thing name from the client id; without an attached thing the
   * thing variables do not resolve.
   */
  readonly thingName?: string;
  /** `iot:Connection.Thing.IsAttached`: is the certificate attached to the thing the client id names. */
  readonly isAttached: boolean;
  /** The thing's attributes (`iot:Connection.Thing.Attributes[name]`). */
  readonly thingAttributes?: Readonly<Record<string, string>>;
  /** The thing's type (`iot:Connection.Thing.ThingTypeName`). */
  readonly thingTypeName?: string;
  /** The certificate id, lowercase hex SHA-256 of its DER (`iot:CertificateId`). */
  readonly certificateId?: string;
  /**
   * The certificate's subject, keyed by the attribute names AWS uses in
   * `iot:Certificate.Subject.<name>`: CommonName, Country, Organization,
   * OrganizationalUnit, State, SerialNumber, Title, Surname, GivenName,
   * Initials, Pseudonym, GenerationQualifier, DistinguishedNameQualifier.
   */
  readonly certificateSubject?: Readonly<Record<string, string>>;
  /** The certificate's issuer, same keys (`iot:Certificate.Issuer.<name>`). */
  readonly certificateIssuer?: Readonly<Record<string, string>>;
}

/** The answer of {@link authorize}. */
export interface AuthorizationDecision {
  /** Whether the action is allowed. */
  readonly allowed: boolean;
  /** Why, in words a log line can carry: the statement that decided, or what was missing. */
  readonly reason: string;
}

/** A policy document with the name it is stored under, so decisions can name it. */
export interface NamedPolicyDocument {
  /** The policy's name. */
  readonly policyName: string;
  /** The policy document, JSON text as stored. */
  readonly document: string;
}

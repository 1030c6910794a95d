/** A template resource after the runner gave it a physical id and resolved its properties. */
export interface ResolvedResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  /** What `Ref` answers for it (a name, an id or a URL, as CloudFormation does per type). */
  readonly physicalId: string;
  /** What `Fn::GetAtt` answers (Arn, RootResourceId, QueueName, ...). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Properties with every intrinsic function resolved. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** The parsed form of the IoT SQL subset the local rule engine evaluates. */

export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** The functions modelled locally; each reads the message's metadata, not its payload (newuuid() makes a random UUID). */
export type MetadataFunction = 'topic' | 'clientid' | 'timestamp' | 'principal' | 'newuuid';

export type Expression =
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  /** A dotted path into the JSON payload, e.g. ['state', 'reported', 'color']. */
  | { readonly kind: 'path'; readonly segments: readonly string[] }
  /** topic(n) carries its 1-based level in `argument`. */
  | { readonly kind: 'call'; readonly name: MetadataFunction; readonly argument?: number }
  | { readonly kind: 'compare'; readonly operator: ComparisonOperator; readonly left: Expression; readonly right: Expression }
  | { readonly kind: 'and' | 'or'; readonly left: Expression; readonly right: Expression }
  | { readonly kind: 'not'; readonly operand: Expression }
  | { readonly kind: 'isNull'; readonly negated: boolean; readonly operand: Expression };

export type SelectItem =
  | { readonly kind: 'all' }
  | { readonly kind: 'expression'; readonly expression: Expression; readonly name: string };

export interface IotSqlStatement {
  /** The statement as written, for logs. */
  readonly sql: string;
  readonly select: readonly SelectItem[];
  /** The MQTT topic filter of the FROM clause. */
  readonly from: string;
  readonly where?: Expression;
}

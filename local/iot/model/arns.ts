/** The AWS IoT resource types the model names by ARN, as the ARN writes them. */
export type IotResourceKind = 'cert' | 'cacert' | 'thing' | 'policy' | 'provisioningtemplate' | 'thinggroup' | 'thingtype';

/** AWS partition of a Region: aws, aws-cn or aws-us-gov. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Builds the ARNs of one account and Region. */
export class ArnBuilder {
  private readonly prefix: string;

  constructor(readonly region: string, readonly accountId: string) {
    this.prefix = `arn:${partitionOf(region)}:iot:${region}:${accountId}:`;
  }

  arn(kind: IotResourceKind, name: string): string {
    return `${this.prefix}${kind}/${name}`;
  }

  /**
   * The kind and name of one of this account's IoT ARNs, or undefined for anything else
   * (another account or Region, another service, a malformed string).
   */
  parse(arn: string): { kind: IotResourceKind; name: string } | undefined {
    if (typeof arn !== 'string' || !arn.startsWith(this.prefix)) return undefined;
    const rest = arn.slice(this.prefix.length);
    const slash = rest.indexOf('/');
    if (slash <= 0 || slash === rest.length - 1) return undefined;
    const kind = rest.slice(0, slash);
    if (!KINDS.has(kind)) return undefined;
    return { kind: kind as IotResourceKind, name: rest.slice(slash + 1) };
  }
}

const KINDS = new Set<string>(['cert', 'cacert', 'thing', 'policy', 'provisioningtemplate', 'thinggroup', 'thingtype']);

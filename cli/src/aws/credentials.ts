import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CliError, EXIT } from '../exit-codes';

export const NO_CREDENTIALS_HINT = 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile, or run `aws configure` / `aws sso login`'
  + ' (for the local cloud: the credentials `local up` prints)';

/**
 * The SDK's default credential chain (environment, SSO, shared files, process, container and
 * instance roles), for the profile if one is named. A chain that finds nothing becomes an error
 * that says where to put credentials.
 */
export function credentialChain(profile: string | undefined): AwsCredentialIdentityProvider {
  const chain = defaultProvider(profile ? { profile } : {});
  return async (): Promise<AwsCredentialIdentity> => {
    try {
      return await chain();
    } catch (error) {
      const where = profile ? ` for profile "${profile}"` : '';
      throw new CliError(`no AWS credentials were found${where} (${(error as Error).message.split('\n')[0]})`, EXIT.AWS_CONFIG, NO_CREDENTIALS_HINT);
    }
  };
}

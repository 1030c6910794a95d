import { S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { ClaimResource, createClaim, deleteClaim, IssuerDeps, updateClaim } from './claim-certificate';
import { parseResourceEvent } from './resource-event';
import { createIotClient } from '../shared/iot/iot-client';
import { withResourceRequestLogging } from '../shared/logging/custom-resource-logging';
import { createLogger } from '../shared/logging/logger';
import { ClaimVault } from '../shared/vault/claim-vault';
import { readVaultLocation } from '../shared/vault/vault-location';

/**
 * onEvent of the claim certificate custom resource (CDK Provider framework): wiring only; the
 * work is in claim-certificate.ts. A throw fails the deployment step with its message.
 */
const deps: Omit<IssuerDeps, 'logger'> = {
  iot: createIotClient(),
  vault: new ClaimVault(new S3Client({}), readVaultLocation()),
};
const rootLogger = createLogger({ function: 'claim-certificate-issuer' });

export async function handler(event: CloudFormationCustomResourceEvent, context?: Context): Promise<ClaimResource> {
  return withResourceRequestLogging(rootLogger, event, context, 'claim certificate request failed', async (logger) => {
    const request = parseResourceEvent(event);
    const withLogger = { ...deps, logger };
    switch (request.requestType) {
      case 'Create':
        return createClaim(withLogger, request.properties);
      case 'Update':
        return updateClaim(withLogger, request.physicalResourceId, request.properties, request.oldProperties);
      case 'Delete':
        return deleteClaim(withLogger, request.physicalResourceId);
    }
  });
}

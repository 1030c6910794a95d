/** The Secrets Manager error codes the local service raises, as the API names them. */
export type SecretsManagerErrorCode =
  | 'AccessDeniedException'
  | 'ResourceNotFoundException'
  | 'ResourceExistsException'
  | 'InvalidRequestException'
  | 'InvalidParameterException'
  | 'DecryptionFailure'
  | 'EncryptionFailure'
  | 'MalformedPolicyDocumentException';

/** An error of the local Secrets Manager: the code and HTTP status (400 for every client error, access denied included). */
export class SecretsManagerError extends Error {
  constructor(readonly code: SecretsManagerErrorCode, message: string, readonly httpStatus: number = 400) {
    super(message);
    this.name = 'SecretsManagerError';
  }
}

export const secretNotFound = () => new SecretsManagerError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

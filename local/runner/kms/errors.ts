/** The KMS error codes the local keys raise, as the KMS API names them. */
export type KmsErrorCode =
  | 'AccessDeniedException'
  | 'NotFoundException'
  | 'DisabledException'
  | 'InvalidCiphertextException'
  | 'IncorrectKeyException'
  | 'InvalidKeyUsageException'
  | 'AlreadyExistsException'
  | 'ValidationException'
  | 'UnsupportedOperationException'
  | 'KMSInvalidStateException'
  | 'MalformedPolicyDocumentException'
  | 'TagException';

/** An error of the local KMS, carrying the code (and HTTP status) KMS answers with. */
export class KmsError extends Error {
  constructor(
    readonly code: KmsErrorCode,
    message: string,
    /** KMS reports client errors, access denied included, as 400. */
    readonly httpStatus: number = 400,
  ) {
    super(message);
    this.name = 'KmsError';
  }
}

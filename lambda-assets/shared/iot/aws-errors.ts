/** Checks an AWS SDK v3 service exception by its modeled name. */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

export function isNotFound(error: unknown): boolean {
  return isAwsError(error, 'ResourceNotFoundException');
}

export function isAlreadyExists(error: unknown): boolean {
  return isAwsError(error, 'ResourceAlreadyExistsException');
}

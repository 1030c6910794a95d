/**
 * A policy document AWS IoT's CreatePolicy would refuse (it answers
 * MalformedPolicyException). The message says what is wrong and where.
 */
export class PolicyDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyDocumentError';
  }
}

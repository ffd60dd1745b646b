/**
 * The two failures the API reports synchronously, mirroring the exceptions UCMA throws:
 * an operation the object's current state does not allow, and an argument that is out of range.
 * Messages say what was wrong and what to do instead.
 */

/** Discriminator shared by the reference implementation's errors. */
export type ReferenceErrorKind = 'invalid-operation' | 'invalid-argument';

/** The object's current state does not allow the operation (for example, sending on a terminated flow). */
export class InvalidOperationError extends Error {
  readonly kind = 'invalid-operation' as const;
  override readonly name = 'InvalidOperationError';
}

/** An argument is missing, of the wrong type or out of range; nothing was changed. */
export class InvalidArgumentError extends Error {
  readonly kind = 'invalid-argument' as const;
  override readonly name = 'InvalidArgumentError';
}

/** True for either error of this module; handy for adapters that only compare kinds. */
export function isReferenceError(
  error: unknown,
): error is InvalidOperationError | InvalidArgumentError {
  return error instanceof InvalidOperationError || error instanceof InvalidArgumentError;
}

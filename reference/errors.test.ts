import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOperationError, isReferenceError } from './errors.ts';

describe('errors', () => {
  it('carry a kind and a name, and are Errors', () => {
    const operation = new InvalidOperationError('state does not allow it');
    const argument = new InvalidArgumentError('bad value');
    expect(operation).toBeInstanceOf(Error);
    expect(operation.kind).toBe('invalid-operation');
    expect(operation.name).toBe('InvalidOperationError');
    expect(argument.kind).toBe('invalid-argument');
    expect(argument.name).toBe('InvalidArgumentError');
    expect(String(argument)).toBe('InvalidArgumentError: bad value');
  });

  it('are recognised by isReferenceError', () => {
    expect(isReferenceError(new InvalidOperationError('x'))).toBe(true);
    expect(isReferenceError(new InvalidArgumentError('x'))).toBe(true);
    expect(isReferenceError(new Error('x'))).toBe(false);
    expect(isReferenceError('x')).toBe(false);
  });
});

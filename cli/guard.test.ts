import { describe, expect, it } from 'vitest';
import { guardProcess } from './guard.ts';

describe('the process guard of checks side by side', () => {
  it('puts the real process.exit back only when the last guard ends, in either order', async () => {
    const real = process.exit;
    const first = guardProcess();
    first.where = 'during step 1 of the first check';
    const second = guardProcess();
    second.where = 'during step 4 of the second check';
    expect(process.exit).not.toBe(real);
    expect(() => process.exit(0)).toThrow(
      'the adapter called process.exit(0) during step 4 of the second check',
    );
    // The first check ends before the second: the second's adapter is still guarded.
    await first.release();
    expect(process.exit).not.toBe(real);
    expect(() => process.exit(3)).toThrow(
      'the adapter called process.exit(3) during step 4 of the second check',
    );
    await second.release();
    expect(process.exit).toBe(real);
  });

  it('keeps the notes of each guard to itself once released', async () => {
    const guard = guardProcess();
    guard.where = 'during step 2';
    Promise.reject(new Error('stray'));
    const notes = await guard.release();
    expect(notes).toEqual([
      expect.stringMatching(
        /^A promise was rejected and never handled during step 2: Error: stray/,
      ),
    ]);
  });
});

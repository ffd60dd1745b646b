import type { ProfileResult } from '../results.ts';
import type { Trace } from '../trace.ts';

/** Test cases listed with their notes in the console; the rest are counted. */
const LISTED = 5;

/** Every trace of a profile's result: path cases and the property counterexample. */
function tracesOf(profile: ProfileResult): Trace[] {
  return profile.machines.flatMap((machine) => [
    ...machine.pathCases,
    ...(machine.property?.failure ? [machine.property.failure.trace] : []),
  ]);
}

/**
 * The notes of a profile's test cases, for the console: what the adapter did that no step could
 * judge (outputs after dispose(), a failing dispose(), errors nothing awaited). They do not
 * change a verdict, and the heading says so, so that the summary always agrees with it.
 */
export function caseNoteLines(profile: ProfileResult, noted: readonly Trace[] = []): string[] {
  const withNotes = [...tracesOf(profile), ...noted].filter(
    (trace, index, all) => (trace.notes?.length ?? 0) > 0 && all.indexOf(trace) === index,
  );
  if (withNotes.length === 0) return [];
  const lines = ['  Notes (the adapter misbehaved where no rule is judged; the verdict stands)'];
  for (const trace of withNotes.slice(0, LISTED)) {
    lines.push(`    ${trace.name}:`);
    for (const note of trace.notes ?? []) lines.push(`      - ${note}`);
  }
  if (withNotes.length > LISTED)
    lines.push(`    and ${withNotes.length - LISTED} more test cases with notes`);
  return lines;
}

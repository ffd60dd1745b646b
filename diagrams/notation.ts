import { allStates, type DiagramTransition, type MachineDiagram } from './structure.ts';

/**
 * How every format writes a transition, and the notes that tell a reader how to read it. The
 * formats differ in layout only: a transition reads the same in each.
 */

/** The event of the model's clock: its transitions are the timers. */
export const CLOCK_EVENT = 'clock.advance';

export function isClock(transition: DiagramTransition): boolean {
  return transition.event === CLOCK_EVENT;
}

/** `[a and b]`, `[else]` for an unguarded fallback, or `''`. */
export function guardText(transition: DiagramTransition): string {
  if (transition.guards.length > 0) return `[${transition.guards.join(' and ')}]`;
  return transition.otherwise ? '[else]' : '';
}

/** The short markers a label carries besides event, guard and requirements. */
export function markers(transition: DiagramTransition): string[] {
  const result: string[] = [];
  if (transition.spontaneous) result.push('(spontaneous)');
  if (transition.boundary) result.push('(boundary)');
  return result;
}

/** `event [guard] (markers)` on one line, without the requirements. */
export function triggerText(transition: DiagramTransition): string {
  return [transition.event, guardText(transition), ...markers(transition)]
    .filter((part) => part !== '')
    .join(' ');
}

/** A note on the notation: a term as it appears in the labels (if any) and what it means. */
export interface NotationNote {
  readonly term?: string;
  readonly text: string;
}

/**
 * Notes on the notation this machine's diagrams use, each only when the machine has something
 * it explains. Format-specific notes (where targetless transitions are drawn) are the formats'
 * own.
 */
export function notationNotes(diagram: MachineDiagram): NotationNote[] {
  const { transitions } = diagram;
  const notes: NotationNote[] = [];
  if (transitions.some((t) => t.otherwise)) {
    notes.push({
      term: '[else]',
      text: 'taken when no earlier guard for the same event on the same state holds; the candidates are tried in the order listed.',
    });
  }
  if (transitions.some(isClock)) {
    notes.push({
      term: CLOCK_EVENT,
      text: "the model's clock moving on: its transitions are the timers, and each one's guard names the deadline it reaches (beside any profile option it depends on).",
    });
  }
  if (transitions.some((t) => t.boundary)) {
    notes.push({
      term: '(boundary)',
      text: 'a clock step that reaches no deadline; only the timers run down.',
    });
  }
  if (transitions.some((t) => t.spontaneous)) {
    notes.push({
      term: '(spontaneous)',
      text: 'the implementation takes the transition by itself, inside the window the model allows.',
    });
  }
  const states = allStates(diagram.root);
  if (states.some((state) => state.kind === 'parallel' || state.folded !== undefined)) {
    notes.push({
      text: 'The regions of a parallel state are all active at once, each in one of its states.',
    });
  }
  if (states.some((state) => state.folded !== undefined)) {
    notes.push({
      text: 'A parallel state is drawn here as one box that names its regions; each region has a diagram of its own.',
    });
  }
  if (states.some((state) => state.outside)) {
    notes.push({
      text: 'A box marked "outside the region" is a state of the machine outside this region, drawn only because a transition comes from or goes to it.',
    });
  }
  return notes;
}

/** A note as plain text: `term: text`. */
export function plainNote(note: NotationNote): string {
  return note.term === undefined ? note.text : `${note.term}: ${note.text}`;
}

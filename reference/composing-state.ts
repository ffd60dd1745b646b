/** Whether a participant is typing, as the API reports it. On the wire Composing is `typing`. */
export type ComposingState = 'idle' | 'composing';

/** True for the two values of {@link ComposingState}. */
export function isComposingState(value: unknown): value is ComposingState {
  return value === 'idle' || value === 'composing';
}

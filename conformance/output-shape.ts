import type { Output, Queries } from '../machines/index.ts';

/** The event names of the alphabet. */
export const eventNames: ReadonlySet<string> = new Set([
  'flowConfigurationRequested',
  'flowStateChanged',
  'messageReceived',
  'deliveryNotificationReceived',
  'remoteComposingStateChanged',
  'mcuStateChanged',
  'joinCompleted',
]);
/** The wire output kinds of the alphabet. */
export const wireKinds: ReadonlySet<string> = new Set([
  'message',
  'composing',
  'response',
  'deliveryNotification',
  'bye',
  'mcuCallTerminated',
]);
const errorKinds = new Set(['invalid-operation', 'invalid-argument']);

/**
 * Checks that something an adapter reported is an output of the model's alphabet. Returns a
 * description of what is wrong, or undefined; adapters are untrusted, so nothing is assumed.
 */
export function outputShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null)
    return `an output must be an object, got ${String(value)}`;
  const output = value as Record<string, unknown>;
  switch (output.channel) {
    case 'event':
      return eventNames.has(output.name as string)
        ? undefined
        : `unknown event name ${JSON.stringify(output.name)}; known: ${[...eventNames].join(', ')}`;
    case 'wire':
      return wireKinds.has(output.kind as string)
        ? undefined
        : `unknown wire kind ${JSON.stringify(output.kind)}; known: ${[...wireKinds].join(', ')}`;
    case 'error':
      return errorKinds.has(output.kind as string) && typeof output.operation === 'string'
        ? undefined
        : 'an error output needs "operation" (the stimulus type) and "kind" (invalid-operation or invalid-argument)';
    default:
      return `unknown channel ${JSON.stringify(output.channel)}; use "event", "wire" or "error"`;
  }
}

/** Copies an adapter's output into plain data, so later mutation by the adapter changes nothing. */
export function snapshotOutput(value: unknown): Output {
  return JSON.parse(JSON.stringify(value)) as Output;
}

/** Every state query and the values its answer may take. */
export const queryValues: Readonly<Record<keyof Queries, readonly string[]>> = {
  flowState: ['idle', 'active', 'terminated'],
  localComposingState: ['idle', 'composing'],
  mcuState: ['idle', 'active', 'retrying', 'terminated'],
};

export function queriesProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null)
    return `query() must return an object, got ${String(value)}`;
  for (const [key, answer] of Object.entries(value)) {
    const allowed = queryValues[key as keyof Queries];
    if (!allowed)
      return `query() returned unknown key "${key}"; known: ${Object.keys(queryValues).join(', ')}`;
    if (answer !== undefined && !allowed.includes(answer as string)) {
      return `query().${key} is ${JSON.stringify(answer)}; allowed: ${allowed.join(', ')}`;
    }
  }
  return undefined;
}

import type { Output, Queries } from './alphabet.ts';

/**
 * The rules that govern each kind of observation: when an output of this kind may or must
 * appear, and what a state reading must be. The kit narrows them to the rules in play in the
 * failing step when it names the requirements a failure breaks.
 */
const unexpectedOutputRules: Record<string, readonly string[]> = {
  'event flowConfigurationRequested': ['CONF-4'],
  'event flowStateChanged': ['LIFE-1', 'LIFE-4', 'LIFE-5'],
  'event messageReceived': ['MSG-2', 'MSG-5', 'MSG-6', 'CONF-8'],
  'event deliveryNotificationReceived': ['DN-6'],
  'event remoteComposingStateChanged': ['RC-1', 'RC-2', 'RC-3', 'RC-4', 'RC-5', 'LC-9'],
  'event mcuStateChanged': ['MCU-10'],
  'event joinCompleted': ['MCU-2'],
  'wire message': ['MSG-1'],
  'wire composing': [
    'LC-1',
    'LC-2',
    'LC-6',
    'LC-7',
    'LC-8',
    'LC-10',
    'LC-11',
    'LC-12',
    'LC-13',
    'LIFE-7',
  ],
  'wire response': ['MSG-3', 'MSG-4', 'MSG-5', 'MSG-6', 'MSG-7', 'CONF-8'],
  'wire deliveryNotification': ['DN-1', 'DN-2', 'DN-3', 'DN-4', 'DN-5', 'DN-9'],
  'wire bye': ['LIFE-4', 'LIFE-8'],
  'wire mcuCallTerminated': ['MCU-4', 'MCU-5'],
  error: [
    'LIFE-3',
    'LIFE-6',
    'LIFE-9',
    'CONF-3',
    'CONF-7',
    'DN-3',
    'DN-4',
    'DN-5',
    'DN-9',
    'LC-6',
    'MCU-9',
  ],
};

const mcuOutputs = new Set([
  'event mcuStateChanged',
  'event joinCompleted',
  'wire mcuCallTerminated',
]);

function outputKey(output: Output): string {
  return output.channel === 'error'
    ? 'error'
    : `${output.channel} ${'name' in output ? output.name : output.kind}`;
}

/**
 * The rules that govern an output of this kind. `states` are the model's active states before
 * the step: once a flow or an MCU session is terminated, any output of it breaks finality.
 */
export function rulesForUnexpectedOutput(
  output: Output,
  states: readonly string[] = [],
): readonly string[] {
  const key = outputKey(output);
  const rules = unexpectedOutputRules[key] ?? [];
  if (!states.includes('terminated') || output.channel === 'error') return rules;
  return [mcuOutputs.has(key) ? 'MCU-9' : 'LIFE-6', ...rules];
}

const queryRules: Record<keyof Queries, readonly string[]> = {
  flowState: ['LIFE-1', 'LIFE-4', 'LIFE-5'],
  localComposingState: ['LC-1', 'LC-3', 'LC-4', 'LC-5', 'LC-6', 'LC-8', 'LC-13'],
  mcuState: ['MCU-1', 'MCU-3', 'MCU-4', 'MCU-5', 'MCU-6', 'MCU-7', 'MCU-8', 'MCU-9'],
};

export function rulesForQuery(query: keyof Queries): readonly string[] {
  return queryRules[query];
}

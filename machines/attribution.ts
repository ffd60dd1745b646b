import type { Output, Queries } from './alphabet.ts';

/**
 * The requirements an unexpected observation breaks. An output the model did not allow is
 * attributed to the rules that say when such an output may appear; a wrong state reading to
 * the rules that say what the state is.
 */
const unexpectedOutputRules: Record<string, readonly string[]> = {
  'event flowConfigurationRequested': ['CONF-4'],
  'event flowStateChanged': ['LIFE-1'],
  'event messageReceived': ['MSG-2', 'MSG-5'],
  'event deliveryNotificationReceived': ['DN-6'],
  'event remoteComposingStateChanged': ['RC-1', 'RC-3', 'RC-4', 'LC-9'],
  'event mcuStateChanged': ['MCU-10'],
  'event joinCompleted': ['MCU-2'],
  'wire message': ['MSG-1'],
  'wire composing': ['LC-1', 'LC-2', 'LC-7', 'LC-11'],
  'wire response': ['MSG-3', 'MSG-4', 'MSG-5'],
  'wire deliveryNotification': ['DN-1', 'DN-3'],
  'wire bye': ['LIFE-4'],
  'wire mcuCallTerminated': ['MCU-4', 'MCU-5'],
  error: ['LIFE-3', 'LIFE-6'],
};

export function rulesForUnexpectedOutput(output: Output): readonly string[] {
  const key =
    output.channel === 'error'
      ? 'error'
      : `${output.channel} ${'name' in output ? output.name : output.kind}`;
  return unexpectedOutputRules[key] ?? [];
}

const queryRules: Record<keyof Queries, readonly string[]> = {
  flowState: ['LIFE-1'],
  localComposingState: ['LC-3', 'LC-5', 'LC-6', 'LC-8'],
  mcuState: ['MCU-10'],
};

export function rulesForQuery(query: keyof Queries): readonly string[] {
  return queryRules[query];
}

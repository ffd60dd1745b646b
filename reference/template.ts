/**
 * Configuration an application hands to a flow while the flow is being set up.
 */

import { isContentType } from './content-type.ts';
import { InvalidArgumentError } from './errors.ts';
import { MAX_COMPOSING_TIMEOUT_MS, type PlatformSettings } from './settings.ts';

/**
 * How incoming messages are consumed. `consumed-locally`: answered 200 at once.
 * `proxied-to-remote-entity`: answered 202, and the application owes exactly one delivery
 * notification per message.
 */
export type InstantMessageConsumptionMode = 'consumed-locally' | 'proxied-to-remote-entity';

/** Initial values for an {@link InstantMessagingFlowTemplate}. */
export interface InstantMessagingFlowTemplateInit {
  consumptionMode?: InstantMessageConsumptionMode;
  composingTimeoutMs?: number;
  supportedFormats?: readonly string[];
}

/**
 * Settings copied into a flow by `flow.initialize(template)`. Values are only checked when the
 * template is used, so a template can be built up field by field.
 *
 * @example
 * ```ts
 * call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
 *   flow.initialize(
 *     new InstantMessagingFlowTemplate({ consumptionMode: 'proxied-to-remote-entity' }),
 *   );
 * });
 * ```
 */
export class InstantMessagingFlowTemplate {
  /** Default: `'consumed-locally'`. */
  consumptionMode: InstantMessageConsumptionMode;
  /**
   * Composing time-out in ms, an integer from 1 to 30000. Left `undefined` (the default), the
   * flow uses the endpoint's `defaultComposingTimeoutMs` setting.
   */
  composingTimeoutMs: number | undefined;
  /** Content types the application consumes; others are refused with 415. Default: `['text/plain']`. */
  supportedFormats: string[];

  constructor(init: InstantMessagingFlowTemplateInit = {}) {
    this.consumptionMode = init.consumptionMode ?? 'consumed-locally';
    this.composingTimeoutMs = init.composingTimeoutMs;
    this.supportedFormats = [...(init.supportedFormats ?? ['text/plain'])];
  }
}

/** The validated, frozen configuration a flow runs with. */
export interface FlowConfiguration {
  readonly consumptionMode: InstantMessageConsumptionMode;
  readonly composingTimeoutMs: number;
  readonly supportedFormats: readonly string[];
}

/** Configuration of a flow the application did not initialize. */
export function defaultFlowConfiguration(settings: PlatformSettings): FlowConfiguration {
  return Object.freeze({
    consumptionMode: 'consumed-locally',
    composingTimeoutMs: settings.defaultComposingTimeoutMs,
    supportedFormats: Object.freeze(['text/plain']),
  });
}

/**
 * Validates `template` and turns it into a configuration.
 *
 * @throws InvalidArgumentError naming the offending field and the values it accepts.
 */
export function configurationFromTemplate(
  template: InstantMessagingFlowTemplate,
  settings: PlatformSettings,
): FlowConfiguration {
  if (!(template instanceof InstantMessagingFlowTemplate)) {
    throw new InvalidArgumentError(
      'Cannot initialize the flow: pass an InstantMessagingFlowTemplate instance.',
    );
  }
  const { consumptionMode, supportedFormats } = template;
  const composingTimeoutMs = template.composingTimeoutMs ?? settings.defaultComposingTimeoutMs;
  if (consumptionMode !== 'consumed-locally' && consumptionMode !== 'proxied-to-remote-entity') {
    throw new InvalidArgumentError(
      `Invalid consumptionMode ${JSON.stringify(consumptionMode)}: use 'consumed-locally' or 'proxied-to-remote-entity'.`,
    );
  }
  if (
    !Number.isInteger(composingTimeoutMs) ||
    composingTimeoutMs < 1 ||
    composingTimeoutMs > MAX_COMPOSING_TIMEOUT_MS
  ) {
    throw new InvalidArgumentError(
      `Invalid composingTimeoutMs ${composingTimeoutMs}: use an integer from 1 to ${MAX_COMPOSING_TIMEOUT_MS} (ms).`,
    );
  }
  if (!Array.isArray(supportedFormats) || !supportedFormats.every(isContentType)) {
    throw new InvalidArgumentError(
      `Invalid supportedFormats ${JSON.stringify(supportedFormats)}: use a list of content types such as 'text/plain'.`,
    );
  }
  return Object.freeze({
    consumptionMode,
    composingTimeoutMs,
    supportedFormats: Object.freeze([...supportedFormats]),
  });
}

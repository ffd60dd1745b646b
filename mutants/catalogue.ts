/**
 * The mutant catalogue: small, realistic bugs seeded into the reference implementation, each
 * one replacement of an exact snippet of the real `reference/` source. Running the kit against
 * every mutant (see `kill.ts`, `npm run mutants`) measures whether the kit catches the bug and
 * whether its report names the rule the bug breaks.
 *
 * A mutant is materialised in a temporary copy (see `apply.ts`); `reference/` itself is never
 * edited. `catalogue.test.ts` checks that every `find` still matches exactly once, so a refactor
 * of the reference cannot silently disarm a mutant.
 */

/** The built-in profiles a mutant can be checked under (see `machines/profile.ts`). */
export type MutantProfile = 'ucma-guide' | 'ucma-reference' | 'basic';

export interface Mutant {
  /** Stable, unique, kebab-case. */
  readonly id: string;
  /** What the bug is, in one sentence, and how it shows. */
  readonly description: string;
  /** The requirement ID (see `machines/requirements.ts`) the bug breaks. */
  readonly requirement: string;
  /** The built-in profile under which the bug is observable through the adapter. */
  readonly profile: MutantProfile;
  /** Repository-relative path of the mutated file; always under `reference/`. */
  readonly file: string;
  /** An exact snippet of the current source of `file`, occurring exactly once. */
  readonly find: string;
  /** What the snippet becomes in the mutant. */
  readonly replace: string;
  /**
   * Set when the bug is observable through the adapter under `profile` but the kit, as it
   * stands, misses it or blames another rule: what the kit sees, and why. The kill test
   * expects such a mutant to fall short (`it.fails`), so fixing the kit flags the note for
   * removal.
   */
  readonly knownKitGap?: string;
  /**
   * Set when the bug departs only from a `should` rule, where the model allows the mutant's
   * behaviour as a branch with an advisory: it passes an ordinary run by design, and is checked
   * with the suite's `strict` option, which turns the advisory into a failure naming its rule.
   */
  readonly strict?: true;
}

const lines = (...parts: string[]) => parts.join('\n');

export const mutants: readonly Mutant[] = [
  // ---------------------------------------------------------------- flow lifecycle
  {
    id: 'life-bye-not-sent',
    description:
      'Terminating the call ends the flow but never sends the bye to the remote party (an advisory of LIFE-8, a failure under strict).',
    requirement: 'LIFE-8',
    profile: 'basic',
    strict: true,
    file: 'reference/call.ts',
    find: 'if (this.#flow) this.#flow.end(sendBye);',
    replace: 'if (this.#flow) this.#flow.end();',
  },
  {
    id: 'life-remote-bye-keeps-flow',
    description:
      'A bye from the remote ends the call but forgets its flow, which stays Active and raises nothing.',
    requirement: 'LIFE-5',
    profile: 'basic',
    file: 'reference/call.ts',
    find: lines(
      "    const announce = this.#setState('terminated');",
      '    this.#flow?.end();',
      '    announce();',
    ),
    replace: lines("    const announce = this.#setState('terminated');", '    announce();'),
  },
  {
    id: 'life-send-after-terminate',
    description:
      'Send only refuses a flow that was never established, so a Terminated flow still puts the message on the wire.',
    requirement: 'LIFE-6',
    profile: 'basic',
    file: 'reference/flow.ts',
    find: "this.#requireActive('send a message', 'Send');",
    replace: "if (this.#state === 'idle') this.#requireActive('send a message', 'Send');",
  },
  {
    id: 'life-composing-timers-survive-terminate',
    description:
      'Ending the flow stops the remote tracker but not the local composing timers, so the time-out still sends Idle after the bye.',
    requirement: 'LIFE-7',
    profile: 'ucma-reference',
    file: 'reference/flow.ts',
    find: lines('    this.#local.halt();', '    this.#remote.halt();'),
    replace: '    this.#remote.halt();',
  },

  // ---------------------------------------------------------------- configuration
  {
    id: 'conf-initialize-outside-window',
    description:
      'Initialize checks the configuration window only before activation, so an Active flow accepts a new template.',
    requirement: 'CONF-3',
    profile: 'basic',
    file: 'reference/flow.ts',
    find: '    if (!this.#configurable) {',
    replace: "    if (!this.#configurable && this.#state === 'idle') {",
  },
  {
    id: 'conf-timeout-limit-in-seconds',
    description:
      'The template time-out is checked against the 30 s limit as if it were in seconds, so 30 001 ms is accepted.',
    requirement: 'CONF-7',
    profile: 'basic',
    file: 'reference/template.ts',
    find: '    composingTimeoutMs > MAX_COMPOSING_TIMEOUT_MS\n',
    replace: '    composingTimeoutMs > MAX_COMPOSING_TIMEOUT_MS * 1000\n',
  },
  {
    id: 'conf-no-configuration-event-outgoing',
    description:
      'The configuration-requested event is raised for incoming calls only; an outgoing call never offers its flow.',
    requirement: 'CONF-4',
    profile: 'basic',
    file: 'reference/call.ts',
    find: "    flow.configure(() => this.#events.emit('instantMessagingFlowConfigurationRequested', { flow }));",
    replace: lines(
      "    if (this.direction === 'incoming') {",
      "      flow.configure(() => this.#events.emit('instantMessagingFlowConfigurationRequested', { flow }));",
      '    }',
    ),
  },

  // ---------------------------------------------------------------- messaging
  {
    id: 'msg-unsupported-format-accepted',
    description:
      'An incoming message is checked for a well-formed content type instead of a supported one, so it is consumed (200) and raised (an advisory of MSG-5, a failure under strict).',
    requirement: 'MSG-5',
    profile: 'basic',
    strict: true,
    file: 'reference/flow.ts',
    find: 'if (!isSupportedFormat(this.#configuration.supportedFormats, contentType)) {',
    replace: 'if (!isContentType(contentType)) {',
  },
  {
    id: 'msg-consumed-answered-202',
    description: 'A ConsumedLocally flow answers incoming messages 202 (accepted) instead of 200.',
    requirement: 'MSG-3',
    profile: 'basic',
    file: 'reference/flow.ts',
    find: lines('    } else {', "      send({ type: 'response', id, code: 200 });"),
    replace: lines('    } else {', "      send({ type: 'response', id, code: 202 });"),
  },
  {
    id: 'msg-proxied-answered-200',
    description:
      'A proxying flow answers incoming messages 200 (consumed) instead of 202 (accepted).',
    requirement: 'MSG-4',
    profile: 'ucma-guide',
    file: 'reference/flow.ts',
    find: "      send({ type: 'response', id, code: 202 });",
    replace: "      send({ type: 'response', id, code: 200 });",
  },
  {
    id: 'msg-proxied-answers-oldest-pending',
    description:
      'A proxying flow answers the oldest message still awaiting its notification instead of the one that just arrived, so answers go out of order.',
    requirement: 'MSG-6',
    profile: 'ucma-guide',
    file: 'reference/flow.ts',
    find: "      send({ type: 'response', id, code: 202 });",
    replace: "      send({ type: 'response', id: this.#ledger.awaiting[0] ?? id, code: 202 });",
  },
  {
    id: 'msg-proxied-not-raised',
    description:
      'A proxying flow forwards incoming messages without raising MessageReceived, so the application never sees them.',
    requirement: 'MSG-2',
    profile: 'ucma-guide',
    file: 'reference/flow.ts',
    find: "    this.#events.emit('messageReceived', { messageId: id, contentType, body });",
    replace: lines(
      "    if (this.#configuration.consumptionMode === 'consumed-locally') {",
      "      this.#events.emit('messageReceived', { messageId: id, contentType, body });",
      '    }',
    ),
  },

  // ---------------------------------------------------------------- delivery notifications
  {
    id: 'dn-second-notification-allowed',
    description:
      'Sending a notification does not record it in the ledger (left for an acknowledgement that never comes), so the same message can be notified again.',
    requirement: 'DN-3',
    profile: 'ucma-guide',
    file: 'reference/delivery-ledger.ts',
    find: lines('    this.#awaiting.delete(messageId);', '    this.#notified.add(messageId);'),
    replace: '    // Recorded once the remote acknowledges the notification.',
  },
  {
    id: 'dn-consumed-locally-wrong-refusal',
    description:
      'The consumption-mode check is missing: a notification on a ConsumedLocally flow is refused by the ledger as an unknown message (invalid argument) instead of as an invalid operation (an advisory of DN-5, a failure under strict).',
    requirement: 'DN-5',
    profile: 'basic',
    strict: true,
    file: 'reference/flow.ts',
    find: "    if (this.#configuration.consumptionMode !== 'proxied-to-remote-entity') {",
    replace: '    if (this.#configuration.consumptionMode === undefined) {',
  },
  {
    id: 'dn-unknown-message-accepted',
    description:
      'The ledger only checks that some message is owed a notification, so a notification naming a message never received is sent.',
    requirement: 'DN-4',
    profile: 'ucma-guide',
    file: 'reference/delivery-ledger.ts',
    find: '    if (!this.#awaiting.has(messageId)) {',
    replace: '    if (this.#awaiting.size === 0) {',
  },
  {
    id: 'dn-failure-code-any-sip-code',
    description:
      'A failure notification accepts any SIP response code from 100, so a failure "200" goes on the wire (an advisory of DN-9, a failure under strict).',
    requirement: 'DN-9',
    profile: 'ucma-guide',
    strict: true,
    file: 'reference/flow.ts',
    find: 'responseCode < 400 || responseCode > 699',
    replace: 'responseCode < 100 || responseCode > 699',
  },
  {
    id: 'dn-incoming-dropped-when-consumed',
    description:
      'An incoming delivery notification raises DeliveryNotificationReceived only on proxying flows; a ConsumedLocally flow drops it.',
    requirement: 'DN-6',
    profile: 'basic',
    file: 'reference/flow.ts',
    find: lines("      case 'delivery-notification':", '        this.#events.emit('),
    replace: lines(
      "      case 'delivery-notification':",
      "        if (this.#configuration.consumptionMode === 'proxied-to-remote-entity')",
      '          this.#events.emit(',
    ),
  },

  // ---------------------------------------------------------------- local composing
  {
    id: 'lc-typing-not-sent-on-start',
    description:
      'Setting Composing from Idle starts the cadence but sends nothing until the first refresh.',
    requirement: 'LC-1',
    profile: 'ucma-guide',
    file: 'reference/local-composing.ts',
    find: lines(
      "      this.#state = 'composing';",
      "      this.#options.notify('typing');",
      '      this.#scheduleRefresh();',
    ),
    replace: lines("      this.#state = 'composing';", '      this.#scheduleRefresh();'),
  },
  {
    id: 'lc-refresh-period-off-by-one',
    description: 'Typing refreshes are scheduled one millisecond after the refresh period.',
    requirement: 'LC-2',
    profile: 'ucma-reference',
    file: 'reference/local-composing.ts',
    find: 'this.#refresh(), settings.refreshPeriodMs);',
    replace: 'this.#refresh(), settings.refreshPeriodMs + 1);',
  },
  {
    id: 'lc-refresh-period-hardcoded',
    description:
      'The refresh period is hard-coded to the three seconds of the reference page, ignoring the configured five.',
    requirement: 'LC-2',
    profile: 'ucma-guide',
    file: 'reference/local-composing.ts',
    find: 'this.#refresh(), settings.refreshPeriodMs);',
    replace: 'this.#refresh(), 3000);',
  },
  {
    id: 'lc-timeout-not-restarted',
    description:
      'Setting Composing again does not start the time-out over while it is running, so the episode ends at the first deadline (no refresh there, early revert).',
    requirement: 'LC-4',
    profile: 'ucma-reference',
    file: 'reference/local-composing.ts',
    find: lines('    }', '    this.#restartTimeout();', '  }'),
    replace: lines(
      '    }',
      '    if (this.#timeoutTimer === undefined) this.#restartTimeout();',
      '  }',
    ),
  },
  {
    id: 'lc-revert-never',
    description:
      'The time-out handler tests the wrong flag and always returns early, so Composing never reverts to Idle.',
    requirement: 'LC-3',
    profile: 'basic',
    file: 'reference/local-composing.ts',
    find: "if (this.#state !== 'composing' || this.#timedOut) return;",
    replace: "if (this.#state !== 'composing' || !this.#timedOut) return;",
  },
  {
    id: 'lc-revert-on-refresh-tick',
    description:
      'No time-out timer is armed: the revert waits for the next refresh tick after the deadline (5 s instead of 3 s), beyond the tolerance.',
    requirement: 'LC-5',
    profile: 'basic',
    file: 'reference/local-composing.ts',
    find: '    this.#timeoutTimer = clock.setTimeout(() => this.#timeOut(), timeoutMs);',
    replace: '    this.#timeoutTimer = undefined;',
  },
  {
    id: 'lc-revert-delay-in-seconds',
    description:
      'The revert delay is read as seconds, so after the time-out the state stays Composing far beyond the tolerance window (observable where the adapter sets a non-zero revert delay, as it does for profiles with a tolerance).',
    requirement: 'LC-5',
    profile: 'ucma-guide',
    file: 'reference/local-composing.ts',
    find: 'this.#revert(), settings.revertDelayMs);',
    replace: 'this.#revert(), settings.revertDelayMs * 1000);',
  },
  {
    id: 'lc-explicit-idle-accepted-while-idle',
    description:
      'Where Idle may not be set, the refusal is only checked while composing; setting Idle while Idle is silently accepted.',
    requirement: 'LC-6',
    profile: 'ucma-reference',
    file: 'reference/flow.ts',
    find: '    if (!explicitIdleAllowed) {',
    replace: "    if (!explicitIdleAllowed && this.#local.state === 'composing') {",
  },
  {
    id: 'lc-revert-silent',
    description:
      'The revert at the time-out never puts Idle on the wire, even where the profile says Idle notifications are sent.',
    requirement: 'LC-7',
    profile: 'ucma-reference',
    file: 'reference/local-composing.ts',
    find: '    this.stop(this.#options.settings.idleNotificationOnWire);',
    replace: '    this.stop(false);',
  },
  {
    id: 'lc-send-keeps-composing',
    description: 'Sending a message while composing leaves the local state Composing.',
    requirement: 'LC-8',
    profile: 'ucma-guide',
    file: 'reference/flow.ts',
    find: '    this.#local.stop(this.#context.settings.idleNotificationOnSend);\n',
    replace: '',
  },
  {
    id: 'lc-refresh-continues-after-stop',
    description:
      'Stopping composing (a send, or Idle) cancels only the time-out, so the refresh timer keeps sending Typing while Idle.',
    requirement: 'LC-8',
    profile: 'ucma-guide',
    file: 'reference/local-composing.ts',
    find: lines("    if (this.#state === 'idle') return false;", '    this.#cancelTimers();'),
    replace: lines(
      "    if (this.#state === 'idle') return false;",
      '    this.#clear(this.#timeoutTimer);',
    ),
  },
  {
    id: 'lc-local-idle-raises-remote-event',
    description:
      'Setting the local state to Idle also raises RemoteComposingStateChanged (Idle) to the application.',
    requirement: 'LC-9',
    profile: 'ucma-guide',
    file: 'reference/flow.ts',
    find: '    this.#local.stop(idleNotificationOnWire);',
    replace: lines(
      '    if (this.#local.stop(idleNotificationOnWire)) {',
      "      this.#events.emit('remoteComposingStateChanged', {",
      '        participant: this.#context.remoteParticipant,',
      "        state: 'idle',",
      '      });',
      '    }',
    ),
  },
  {
    id: 'lc-local-composing-raises-remote-event',
    description:
      'Setting the local state to Composing raises RemoteComposingStateChanged (Composing) to the application.',
    requirement: 'LC-9',
    profile: 'ucma-reference',
    file: 'reference/flow.ts',
    find: lines('      this.#local.compose();', '      return;'),
    replace: lines(
      '      this.#local.compose();',
      "      this.#events.emit('remoteComposingStateChanged', {",
      '        participant: this.#context.remoteParticipant,',
      "        state: 'composing',",
      '      });',
      '      return;',
    ),
  },
  {
    id: 'lc-refresh-at-deadline-sent',
    description:
      'A refresh falling exactly at the time-out still goes out (strict comparison with the deadline; an advisory of LC-10, a failure under strict).',
    requirement: 'LC-10',
    profile: 'ucma-reference',
    strict: true,
    file: 'reference/local-composing.ts',
    find: 'if (this.#options.clock.now() >= this.#deadline) {',
    replace: 'if (this.#options.clock.now() > this.#deadline) {',
  },
  {
    id: 'lc-typing-on-every-set',
    description: 'Every set to Composing sends Typing, also while already composing.',
    requirement: 'LC-12',
    profile: 'ucma-guide',
    file: 'reference/local-composing.ts',
    find: lines(
      "    if (this.#state === 'idle') {",
      "      this.#state = 'composing';",
      "      this.#options.notify('typing');",
    ),
    replace: lines(
      "    this.#options.notify('typing');",
      "    if (this.#state === 'idle') {",
      "      this.#state = 'composing';",
    ),
  },

  // ---------------------------------------------------------------- remote composing
  {
    id: 'rc-event-on-every-typing',
    description:
      'Where the event is raised only on a change, every arriving Typing still raises RemoteComposingStateChanged, refreshes included.',
    requirement: 'RC-4',
    profile: 'ucma-reference',
    file: 'reference/flow.ts',
    find: lines(
      '      if (this.#remote.typingReceived()) {',
      "        this.#events.emit('remoteComposingStateChanged', { participant, state });",
      '      }',
    ),
    replace: lines(
      '      this.#remote.typingReceived();',
      "      this.#events.emit('remoteComposingStateChanged', { participant, state });",
    ),
  },
  {
    id: 'rc-presumed-idle-timer-not-restarted',
    description:
      'The presumed-idle timer starts on the first Typing only and is not restarted by refreshes, so a typing remote is presumed idle too early and a refresh raises the event again where it is raised only on a change.',
    requirement: 'RC-4',
    profile: 'ucma-reference',
    file: 'reference/remote-composing.ts',
    find: lines(
      '    this.#restartSilenceTimer();',
      "    if (this.#state === 'composing') return false;",
    ),
    replace: lines(
      "    if (this.#state === 'composing') return false;",
      '    this.#restartSilenceTimer();',
    ),
  },
  {
    id: 'rc-presumed-idle-never',
    description:
      'The silence timer is never armed, so where the event is raised only on a change a remote that went quiet for six seconds raises no event with its next Typing (an advisory of RC-5, a failure under strict).',
    requirement: 'RC-5',
    profile: 'ucma-reference',
    strict: true,
    file: 'reference/remote-composing.ts',
    find: lines('  typingReceived(): boolean {', '    this.#restartSilenceTimer();'),
    replace: '  typingReceived(): boolean {',
  },
  {
    id: 'rc-idle-event-when-not-raised',
    description:
      'An arriving Idle raises RemoteComposingStateChanged even where the profile says it does not.',
    requirement: 'RC-3',
    profile: 'ucma-reference',
    file: 'reference/flow.ts',
    find: 'if (this.#remote.idleReceived() && this.#context.settings.remoteIdleRaisesEvent) {',
    replace: 'if (this.#remote.idleReceived()) {',
  },

  // ---------------------------------------------------------------- MCU session
  {
    id: 'mcu-activation-before-join-dropped',
    description:
      'Focus reports that arrive before the join completes are dropped, so an MCU activated before the BeginJoin callback leaves the session Idle (until the callback).',
    requirement: 'MCU-1',
    profile: 'ucma-guide',
    file: 'reference/conference.ts',
    find: lines(
      '      default:',
      '        break;',
      '    }',
      '    this.instantMessagingMcuSession.handle(report);',
    ),
    replace: lines(
      '      default:',
      '        break;',
      '    }',
      "    if (this.#state === 'connecting') return;",
      '    this.instantMessagingMcuSession.handle(report);',
    ),
  },
  {
    id: 'mcu-no-im-mcu-stays-idle',
    description:
      'Joining a conference without an IM MCU leaves the MCU session Idle instead of Terminated.',
    requirement: 'MCU-3',
    profile: 'ucma-guide',
    file: 'reference/mcu-session.ts',
    find: "if (!report.imMcu) this.#enter('terminated');",
    replace: "if (!report.imMcu) this.#enter('idle');",
  },
  {
    id: 'mcu-failover-terminates',
    description: 'An MCU failover moves the session straight to Terminated instead of Retrying.',
    requirement: 'MCU-4',
    profile: 'ucma-guide',
    file: 'reference/mcu-session.ts',
    find: "      this.#retry('failover');",
    replace: "      this.#enter('terminated');",
  },
  {
    id: 'mcu-failover-keeps-call',
    description:
      'An MCU failover moves the session to Retrying but never ends the call with the MCU.',
    requirement: 'MCU-4',
    profile: 'ucma-guide',
    file: 'reference/mcu-session.ts',
    find: "      if (hadCall) this.#events.emit('mcuCallTerminated', { reason: 'mcu-failover' });",
    replace: '      void hadCall;',
  },
  {
    id: 'mcu-focus-reconnect-ends-call',
    description:
      'A focus reconnection tears down the call with the MCU, as a failover does, although the MCU is not failing.',
    requirement: 'MCU-5',
    profile: 'ucma-guide',
    file: 'reference/mcu-session.ts',
    find: lines(
      "    } else if (report.type === 'focus-reconnecting') {",
      '      // The MCU itself is not known to be failing, so its call survives.',
      "      this.#retry('focus');",
    ),
    replace: lines(
      "    } else if (report.type === 'focus-reconnecting') {",
      '      // Without the focus the MCU call cannot be kept up, so it is torn down.',
      '      const hadCall = this.#hasMcuCall;',
      '      this.#hasMcuCall = false;',
      "      this.#retry('focus');",
      "      if (hadCall) this.#events.emit('mcuCallTerminated', { reason: 'mcu-failover' });",
    ),
  },
  {
    id: 'mcu-stuck-retrying-after-failover',
    description:
      'A completed failover is matched against the wrong retry cause, so after an MCU failover the session stays Retrying.',
    requirement: 'MCU-6',
    profile: 'ucma-guide',
    file: 'reference/mcu-session.ts',
    find: lines(
      '        // Either completion ends Retrying, whatever started it.',
      '        this.#activate();',
    ),
    replace: "        if (this.#retryCause === 'focus') this.#activate();",
  },
  {
    id: 'mcu-reconnect-active-needs-failover',
    description:
      'A focus reconnection with the MCU active restores Active only after a failover, so a plain reconnect goes back to Idle.',
    requirement: 'MCU-7',
    profile: 'ucma-guide',
    file: 'reference/mcu-session.ts',
    find: '        if (report.mcuActive) this.#activate();',
    replace: "        if (report.mcuActive && this.#retryCause === 'failover') this.#activate();",
  },
  {
    id: 'mcu-reconnect-without-mcu-active',
    description:
      'A focus reconnection without an active MCU makes the session Active again because its MCU call survived.',
    requirement: 'MCU-8',
    profile: 'ucma-reference',
    file: 'reference/mcu-session.ts',
    find: '        if (report.mcuActive) this.#activate();',
    replace: '        if (report.mcuActive || this.#hasMcuCall) this.#activate();',
  },
  {
    id: 'mcu-leave-not-terminating',
    description:
      'Leaving the conference disconnects the session but leaves its MCU session as it was.',
    requirement: 'MCU-9',
    profile: 'ucma-guide',
    file: 'reference/conference.ts',
    find: '    this.instantMessagingMcuSession.terminate();\n',
    replace: '',
  },
  {
    id: 'mcu-terminated-not-announced',
    description: 'The MCU session enters Terminated without raising StateChanged.',
    requirement: 'MCU-10',
    profile: 'ucma-guide',
    file: 'reference/mcu-session.ts',
    find: "    this.#events.emit('stateChanged', { previous, state });",
    replace:
      "    if (state !== 'terminated') this.#events.emit('stateChanged', { previous, state });",
  },

  // ---------------------------------------------------------------- gaps found by mechanical mutation
  {
    id: 'lc-state-reading-disappears',
    description:
      'The local composing getter answers only while composing and returns undefined when Idle, so a declared state reading goes missing.',
    requirement: 'LC-3',
    profile: 'basic',
    file: 'reference/flow.ts',
    find: lines('  get localComposingState(): ComposingState {', '    return this.#local.state;'),
    replace: lines(
      '  get localComposingState(): ComposingState {',
      "    return this.#local.state === 'composing' ? 'composing' : (undefined as never);",
    ),
  },
  {
    id: 'dn-failure-code-400-refused',
    description:
      'The lower bound of the failure-code check is exclusive, so the valid code 400 is refused as an invalid argument and no notification goes out.',
    requirement: 'DN-2',
    profile: 'ucma-guide',
    file: 'reference/flow.ts',
    find: 'responseCode < 400 || responseCode > 699',
    replace: 'responseCode <= 400 || responseCode > 699',
  },
  {
    id: 'dn-failure-code-699-refused',
    description:
      'The upper bound of the failure-code check is exclusive, so the valid code 699 is refused as an invalid argument and no notification goes out.',
    requirement: 'DN-2',
    profile: 'ucma-guide',
    file: 'reference/flow.ts',
    find: 'responseCode < 400 || responseCode > 699',
    replace: 'responseCode < 400 || responseCode >= 699',
  },
  {
    id: 'conf-timeout-1ms-refused',
    description:
      'The lower bound of the template time-out check is exclusive, so the valid 1 ms time-out is refused.',
    requirement: 'CONF-7',
    profile: 'basic',
    file: 'reference/template.ts',
    find: '    composingTimeoutMs < 1 ||\n',
    replace: '    composingTimeoutMs <= 1 ||\n',
  },
  {
    id: 'conf-timeout-30000ms-refused',
    description:
      'The upper bound of the template time-out check is exclusive, so the valid 30 000 ms time-out is refused.',
    requirement: 'CONF-7',
    profile: 'basic',
    file: 'reference/template.ts',
    find: '    composingTimeoutMs > MAX_COMPOSING_TIMEOUT_MS\n',
    replace: '    composingTimeoutMs >= MAX_COMPOSING_TIMEOUT_MS\n',
  },
  {
    id: 'conf-timeout-zero-accepted',
    description: 'The template time-out check only refuses negative values, so 0 ms is accepted.',
    requirement: 'CONF-7',
    profile: 'basic',
    file: 'reference/template.ts',
    find: '    composingTimeoutMs < 1 ||\n',
    replace: '    composingTimeoutMs < 0 ||\n',
  },
  {
    id: 'conf-timeout-negative-accepted',
    description:
      'The template time-out check only refuses zero, so a negative time-out is accepted.',
    requirement: 'CONF-7',
    profile: 'basic',
    file: 'reference/template.ts',
    find: '    composingTimeoutMs < 1 ||\n',
    replace: '    composingTimeoutMs === 0 ||\n',
  },
  {
    id: 'conf-timeout-fraction-accepted',
    description:
      'The template time-out is checked to be a number but not a whole number of ms, so a fractional time-out is accepted.',
    requirement: 'CONF-7',
    profile: 'basic',
    file: 'reference/template.ts',
    find: '    !Number.isInteger(composingTimeoutMs) ||\n',
    replace: "    typeof composingTimeoutMs !== 'number' ||\n",
  },
  {
    id: 'conf-only-first-format-honoured',
    description:
      'Only the first of several supported formats is honoured, so a message in the second one is refused 415.',
    requirement: 'CONF-8',
    profile: 'basic',
    file: 'reference/content-type.ts',
    find: '  return formats.some((format) => mediaTypeOf(format) === wanted);',
    replace: "  return mediaTypeOf(formats[0] ?? '') === wanted;",
  },
  {
    id: 'dn-incoming-mapped-to-first-message',
    description:
      'The message counter is never incremented, so every sent message carries the id of the first, and a delivery notification for message 2 is reported for message 1.',
    requirement: 'DN-6',
    profile: 'basic',
    file: 'reference/endpoint.ts',
    find: '++this.#messageCount}',
    replace: 'this.#messageCount + 1}',
  },
  {
    id: 'dn-second-after-failure-allowed',
    description:
      'A failure notification goes out without being recorded, so the same message can be notified again afterwards.',
    requirement: 'DN-3',
    profile: 'ucma-guide',
    file: 'reference/flow.ts',
    find: lines(
      '    this.#ledger.settle(messageId);',
      '    this.#context.send({',
      "      type: 'delivery-notification',",
      '      id: messageId,',
      "      status: 'failure',",
    ),
    replace: lines(
      '    this.#context.send({',
      "      type: 'delivery-notification',",
      '      id: messageId,',
      "      status: 'failure',",
    ),
  },
  {
    id: 'lc-composing-again-in-window-no-refresh',
    description:
      'Composing set again inside the revert window restarts the time-out but not the refresh cadence, so with a template time-out longer than the refresh period no Typing refresh comes before the new time-out.',
    requirement: 'LC-13',
    profile: 'ucma-guide',
    file: 'reference/local-composing.ts',
    find: lines(
      "      if (this.#options.settings.typingOnComposingAgain) this.#options.notify('typing');",
      '      this.#scheduleRefresh();',
      '    } else if',
    ),
    replace: lines(
      "      if (this.#options.settings.typingOnComposingAgain) this.#options.notify('typing');",
      '    } else if',
    ),
  },
  {
    id: 'lc-leftover-timeout-ends-next-episode',
    description:
      'Stopping composing forgets the time-out timer without cancelling it, so the time-out of an earlier episode ends the next one early.',
    requirement: 'LC-3',
    profile: 'basic',
    file: 'reference/local-composing.ts',
    find: lines(
      '  #cancelTimers(): void {',
      '    this.#clear(this.#refreshTimer);',
      '    this.#clear(this.#timeoutTimer);',
    ),
    replace: lines('  #cancelTimers(): void {', '    this.#clear(this.#refreshTimer);'),
  },
];

export function findMutant(id: string): Mutant | undefined {
  return mutants.find((mutant) => mutant.id === id);
}

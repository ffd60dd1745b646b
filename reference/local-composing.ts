/**
 * The local participant's composing indicator: Typing refreshes while composing, the composing
 * time-out, and the (possibly delayed) revert to Idle.
 */

import type { Clock, TimerHandle } from './clock.ts';
import type { ComposingState } from './composing-state.ts';
import type { PlatformSettings } from './settings.ts';
import type { WireComposingState } from './transport.ts';

/** What the indicator needs from its flow. */
export interface LocalComposingOptions {
  readonly clock: Clock;
  readonly settings: PlatformSettings;
  /** The flow's composing time-out; read each time the time-out is (re)started. */
  readonly timeoutMs: () => number;
  /** Puts a composing notification on the wire. */
  readonly notify: (state: WireComposingState) => void;
}

/** Local composing state plus the timers that keep the remote side informed. */
export class LocalComposingIndicator {
  readonly #options: LocalComposingOptions;
  #state: ComposingState = 'idle';
  /** Set between the time-out and the revert to Idle, when `revertDelayMs` is not zero. */
  #timedOut = false;
  #deadline = 0;
  #refreshTimer: TimerHandle | undefined;
  #timeoutTimer: TimerHandle | undefined;
  #revertTimer: TimerHandle | undefined;

  constructor(options: LocalComposingOptions) {
    this.#options = options;
  }

  get state(): ComposingState {
    return this.#state;
  }

  /**
   * The application says the user is composing. From Idle this announces Typing at once and
   * starts the refresh cadence; while composing it pushes the time-out back, and announces
   * Typing again only with `typingOnComposingAgain`.
   *
   * Between the time-out and a delayed revert the state still reads Composing, so the same
   * holds; but the refreshes had stopped, so the cadence restarts from now along with the
   * time-out.
   */
  compose(): void {
    if (this.#state === 'idle') {
      this.#state = 'composing';
      this.#options.notify('typing');
      this.#scheduleRefresh();
    } else if (this.#timedOut) {
      this.#cancelTimers();
      this.#timedOut = false;
      if (this.#options.settings.typingOnComposingAgain) this.#options.notify('typing');
      this.#scheduleRefresh();
    } else if (this.#options.settings.typingOnComposingAgain) {
      this.#options.notify('typing');
    }
    this.#restartTimeout();
  }

  /**
   * Ends composing now (explicit Idle, or a message being sent). Returns true when the state
   * changed. `announce` puts an `idle` notification on the wire.
   */
  stop(announce: boolean): boolean {
    if (this.#state === 'idle') return false;
    this.#cancelTimers();
    this.#state = 'idle';
    this.#timedOut = false;
    if (announce) this.#options.notify('idle');
    return true;
  }

  /** Stops every timer and forgets the state without telling anyone (the flow has ended). */
  halt(): void {
    this.#cancelTimers();
    this.#state = 'idle';
    this.#timedOut = false;
  }

  #scheduleRefresh(): void {
    const { clock, settings } = this.#options;
    this.#refreshTimer = clock.setTimeout(() => this.#refresh(), settings.refreshPeriodMs);
  }

  #refresh(): void {
    this.#refreshTimer = undefined;
    // A refresh due at (or, with a late host timer, after) the time-out must not go out:
    // the episode is over even if the time-out timer has not run yet.
    if (this.#options.clock.now() >= this.#deadline) {
      this.#timeOut();
      return;
    }
    this.#options.notify('typing');
    this.#scheduleRefresh();
  }

  #restartTimeout(): void {
    const { clock } = this.#options;
    const timeoutMs = this.#options.timeoutMs();
    this.#clear(this.#timeoutTimer);
    this.#deadline = clock.now() + timeoutMs;
    this.#timeoutTimer = clock.setTimeout(() => this.#timeOut(), timeoutMs);
  }

  #timeOut(): void {
    if (this.#state !== 'composing' || this.#timedOut) return;
    this.#timedOut = true;
    this.#clear(this.#refreshTimer);
    this.#clear(this.#timeoutTimer);
    this.#refreshTimer = undefined;
    this.#timeoutTimer = undefined;
    const { clock, settings } = this.#options;
    if (settings.revertDelayMs === 0) {
      this.#revert();
      return;
    }
    this.#revertTimer = clock.setTimeout(() => this.#revert(), settings.revertDelayMs);
  }

  #revert(): void {
    this.#revertTimer = undefined;
    this.stop(this.#options.settings.idleNotificationOnWire);
  }

  #cancelTimers(): void {
    this.#clear(this.#refreshTimer);
    this.#clear(this.#timeoutTimer);
    this.#clear(this.#revertTimer);
    this.#refreshTimer = undefined;
    this.#timeoutTimer = undefined;
    this.#revertTimer = undefined;
  }

  #clear(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.#options.clock.clearTimeout(handle);
  }
}

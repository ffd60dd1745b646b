/**
 * What the local side believes about the remote participant's typing, built only from the
 * composing notifications that arrive and from silence.
 */

import type { Clock, TimerHandle } from './clock.ts';
import type { ComposingState } from './composing-state.ts';
import type { PlatformSettings } from './settings.ts';

/** Tracks the remote composing state; the flow turns its answers into events. */
export class RemoteComposingTracker {
  readonly #clock: Clock;
  readonly #settings: PlatformSettings;
  #state: ComposingState = 'idle';
  #presumedIdleTimer: TimerHandle | undefined;
  /** Set when silence, not an Idle notification, made the state Idle. */
  #presumed = false;

  constructor(clock: Clock, settings: PlatformSettings) {
    this.#clock = clock;
    this.#settings = settings;
  }

  get state(): ComposingState {
    return this.#state;
  }

  /** A Typing notification arrived. Returns true when the remote just started composing. */
  typingReceived(): boolean {
    this.#restartSilenceTimer();
    if (this.#state === 'composing') return false;
    this.#state = 'composing';
    return true;
  }

  /**
   * An Idle notification arrived. Returns true when the remote just stopped composing: the
   * last notification was Typing, even if silence has since presumed it idle (the application
   * was never told of the presumption, so the Idle is news to it). With
   * `remoteEventOnEveryNotification`, every Idle is news.
   */
  idleReceived(): boolean {
    const presumed = this.#presumed;
    this.#presumed = false;
    const news = presumed || this.#settings.remoteEventOnEveryNotification;
    if (this.#state === 'idle' && !news) return false;
    this.#cancelSilenceTimer();
    this.#state = 'idle';
    return true;
  }

  /** Stops the silence timer and forgets the state (the flow has ended). */
  halt(): void {
    this.#cancelSilenceTimer();
    this.#presumed = false;
    this.#state = 'idle';
  }

  #restartSilenceTimer(): void {
    this.#cancelSilenceTimer();
    // Silence means the remote stopped typing without saying so; nobody is told, so the next
    // Typing is news again.
    this.#presumed = false;
    this.#presumedIdleTimer = this.#clock.setTimeout(() => {
      this.#presumedIdleTimer = undefined;
      this.#presumed = true;
      this.#state = 'idle';
    }, this.#settings.remotePresumedIdleMs);
  }

  #cancelSilenceTimer(): void {
    if (this.#presumedIdleTimer !== undefined) this.#clock.clearTimeout(this.#presumedIdleTimer);
    this.#presumedIdleTimer = undefined;
  }
}

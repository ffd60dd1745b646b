import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  createActor,
  initialTransition,
} from 'xstate';
import {
  type BranchChoice,
  type ChosenBranch,
  type ModelEvent,
  type Output,
  PLAIN_TEXT,
  type Queries,
  type SpontaneousMove,
  type Stimulus,
  type TemplateSpec,
  UNSUPPORTED_FORMAT,
} from './alphabet.ts';
import { createFlowMachine, type FlowContext } from './flow.ts';
import { createMcuMachine, type McuContext } from './mcu.ts';
import type { TransitionMeta } from './meta.ts';
import { type Capabilities, MAX_COMPOSING_TIMEOUT_MS, type Profile } from './profile.ts';
import type { RequirementGroup } from './requirements.ts';

/**
 * The narrow interface through which everything outside `machines/` uses a machine: pure
 * functions over opaque snapshots. The conformance kit, the diagrams and the CLI need nothing
 * else, so the machines can change shape without touching them.
 */
export interface MachineModel {
  readonly id: 'imFlow' | 'mcuSession';
  readonly title: string;
  readonly groups: readonly RequirementGroup[];
  /** A capability without which the whole machine is out of scope. */
  readonly capability?: keyof Capabilities;
  readonly machine: AnyStateMachine;
  readonly profile: Profile;
  initial(): ModelSnapshot;
  /** Applies one event; returns the next snapshot, the outputs it obliges, the transitions taken. */
  step(snapshot: ModelSnapshot, event: ModelEvent): StepResult;
  /** The transitions `step` would take, without computing the step (cheap, for traversals). */
  transitionsTaken(snapshot: ModelSnapshot, event: ModelEvent): readonly TransitionMeta[];
  /** The stimuli with a defined expectation here, bounded so the reachable space stays finite. */
  stimuli(snapshot: ModelSnapshot): readonly Stimulus[];
  /**
   * The stimuli a traversal of the state graph explores here: `stimuli`, less those that would
   * only multiply independent timers of parallel regions (see `explorationEvents`).
   */
  explored(snapshot: ModelSnapshot): readonly Stimulus[];
  /**
   * How much of the snapshot a traversal explores (see `explorationEvents`): every stimulus
   * and clock step; the clock steps only, where the same stimuli come again later with the
   * timers in the same order; or only the clock running to the next deadline, in a stretch of
   * time that repeats one explored already.
   */
  explores(snapshot: ModelSnapshot): Exploration;
  /** Moves the implementation may make by itself here (inside a tolerance window). */
  spontaneous(snapshot: ModelSnapshot): readonly SpontaneousMove[];
  /**
   * The allowed, non-preferred ways the implementation may handle `stimulus` here: the stimulus
   * with each choice that takes an allowed branch (see `BranchChoice`). Empty where the model
   * knows one way only.
   */
  alternatives(snapshot: ModelSnapshot, stimulus: Stimulus): readonly ChosenBranch[];
  /** Time until the next timer of the model expires, or null when no timer runs. */
  nextDeadlineMs(snapshot: ModelSnapshot): number | null;
  /** How many timers of the model run. */
  runningTimers(snapshot: ModelSnapshot): number;
  /**
   * `after` as it would be had a step that passed no time left every timer it restarted
   * running on from where it stood in `before`; undefined when the step restarted none. A
   * test that tells the two apart catches an implementation that shows a step's outputs but
   * forgets to restart its timer.
   */
  timersKept(before: ModelSnapshot, after: ModelSnapshot): ModelSnapshot | undefined;
  /**
   * Time from `before` until the earliest deadline of the timers a step stopped (running in
   * `before`, not in `after`), or null when it stopped none. A step that passes no time stops
   * a timer only by cancelling it: one left running shows when that deadline falls.
   */
  stoppedDeadlineMs(before: ModelSnapshot, after: ModelSnapshot): number | null;
  /** The state queries the implementation must answer, and their expected values. */
  queries(snapshot: ModelSnapshot): Queries;
  /** Active state node paths, e.g. `active.localComposing.composing`. */
  activeStates(snapshot: ModelSnapshot): readonly string[];
  serialize(snapshot: ModelSnapshot): string;
  /**
   * A key that forgets how long the running timers have left and keeps only the shape of time
   * (see `abstractTimeKey`): snapshots with one key take the same transitions on the same
   * stimuli and symbolic clock steps, as far as the timing constants tell them apart.
   */
  abstractKey(snapshot: ModelSnapshot): string;
}

export type ModelSnapshot = AnyMachineSnapshot;

export interface StepResult {
  readonly snapshot: ModelSnapshot;
  readonly outputs: readonly Output[];
  readonly transitions: readonly TransitionMeta[];
}

/** A declared transition of a machine, read from its definition (not from a traversal). */
export interface DeclaredTransition {
  readonly source: string;
  readonly event: string;
  readonly targets: readonly string[];
  readonly guard?: string;
  readonly meta: TransitionMeta;
}

const BOUND_MESSAGES = 2;

function statePath(node: AnyStateNode): string {
  return node.path.join('.');
}

/** Every state node of a machine, depth first, as dotted paths (the root is left out). */
export function declaredStates(machine: AnyStateMachine): string[] {
  const paths: string[] = [];
  const visit = (node: AnyStateNode) => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      paths.push(statePath(child));
      visit(child);
    }
  };
  visit(machine.root);
  return paths;
}

function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) {
    return String((guard as { type: unknown }).type);
  }
  if (typeof guard === 'function') {
    const nested = (guard as { guards?: unknown[] }).guards;
    if (Array.isArray(nested)) return nested.map(guardName).join(' and ');
    return 'and';
  }
  return undefined;
}

/** Every transition declared in a machine, with its requirement meta. */
export function declaredTransitions(machine: AnyStateMachine): DeclaredTransition[] {
  const result: DeclaredTransition[] = [];
  const visit = (node: AnyStateNode) => {
    for (const [event, list] of node.transitions) {
      for (const definition of list) {
        const meta = definition.meta as TransitionMeta | undefined;
        if (!meta)
          throw new Error(`Transition ${statePath(node)} on ${event} has no requirement meta.`);
        const guard = guardName(definition.guard);
        result.push({
          source: statePath(node) || '(root)',
          event,
          targets: (definition.target ?? []).map((target: AnyStateNode) => statePath(target)),
          ...(guard === undefined ? {} : { guard }),
          meta,
        });
      }
    }
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
  };
  visit(machine.root);
  return result;
}

/** Whether some active state declares a transition on `type` that carries a choice. */
function offersChoice(snapshot: ModelSnapshot, type: string): boolean {
  for (const node of snapshot._nodes as readonly AnyStateNode[]) {
    for (const transition of node.transitions.get(type) ?? []) {
      if ((transition.meta as TransitionMeta | undefined)?.choice !== undefined) return true;
    }
  }
  return false;
}

function createMachineModel(
  definition: Pick<
    MachineModel,
    'id' | 'title' | 'groups' | 'capability' | 'machine' | 'profile'
  > & {
    stimuli(snapshot: ModelSnapshot): readonly Stimulus[];
    explored?(snapshot: ModelSnapshot): readonly Stimulus[];
    explores?(snapshot: ModelSnapshot): Exploration;
    /** The context fields that hold the remaining time of a timer, null when it is not running. */
    timers: readonly string[];
    /** The durations a timer may be started with from this snapshot on. */
    timingConstants?(snapshot: ModelSnapshot): readonly number[];
    /** The durations of timers that restart themselves each time they expire. */
    periods?: readonly number[];
    queries(snapshot: ModelSnapshot): Queries;
  },
): MachineModel {
  const { machine, timers, timingConstants, periods, ...rest } = definition;
  const timerFields = new Set(timers);
  const remaining = (snapshot: ModelSnapshot, timer: string) =>
    (snapshot.context as Record<string, number | null>)[timer] ?? null;
  // The choices some transition on each event type may take: the only ones worth trying.
  const choicesByEvent = new Map<string, BranchChoice[]>();
  for (const { event, meta } of declaredTransitions(machine)) {
    if (meta.choice === undefined) continue;
    const known = choicesByEvent.get(event) ?? [];
    if (!known.includes(meta.choice)) known.push(meta.choice);
    choicesByEvent.set(event, known);
  }
  // One scope for every step: xstate's `transition` builds an actor, and with it the initial
  // snapshot, on each call, which was most of a step's time.
  let scope: ReturnType<typeof inertScope> | undefined;
  return {
    ...rest,
    explored: definition.explored ?? definition.stimuli,
    explores: definition.explores ?? (() => 'everything'),
    machine,
    nextDeadlineMs: (snapshot) => minOf(timers.map((timer) => remaining(snapshot, timer))),
    runningTimers: (snapshot) =>
      timers.filter((timer) => remaining(snapshot, timer) !== null).length,
    stoppedDeadlineMs: (before, after) =>
      minOf(
        timers.map((timer) => (remaining(after, timer) === null ? remaining(before, timer) : null)),
      ),
    timersKept(before, after) {
      const kept: Record<string, number> = {};
      for (const timer of timers) {
        const was = remaining(before, timer);
        const now = remaining(after, timer);
        if (was !== null && now !== null && now !== was) kept[timer] = was;
      }
      if (Object.keys(kept).length === 0) return undefined;
      return machine.resolveState({
        value: after.value,
        context: { ...after.context, ...kept },
      }) as ModelSnapshot;
    },
    initial: () => initialTransition(machine)[0],
    step(snapshot, event) {
      scope ??= inertScope(machine);
      const next = scope.step(snapshot, event);
      const { actions, taken } = scope;
      const outputs = (actions as readonly { type: string; params?: unknown }[])
        .filter((action) => action.type === 'xstate.emit')
        .map((action) => (action.params as { event: { output: Output } }).event.output);
      return {
        snapshot: next as ModelSnapshot,
        outputs,
        transitions: taken.map((t) => t.meta as TransitionMeta),
      };
    },
    transitionsTaken: (snapshot, event) =>
      machine
        .getTransitionData(snapshot as never, event as never)
        .map((t) => t.meta as TransitionMeta),
    spontaneous(snapshot) {
      return machine.getTransitionData(snapshot as never, { type: 'sut.revert' } as never).length >
        0
        ? [{ type: 'sut.revert' }]
        : [];
    },
    alternatives(snapshot, stimulus) {
      const alternatives: ChosenBranch[] = [];
      const choices = choicesByEvent.get(stimulus.type);
      // Asking xstate for the transitions is costly; a choice no active state offers is not.
      if (!choices || !offersChoice(snapshot, stimulus.type)) return alternatives;
      for (const choice of choices) {
        const chosen = { ...stimulus, choice } as ChosenBranch;
        const taken = machine.getTransitionData(snapshot as never, chosen as never);
        if (taken.some((t) => (t.meta as TransitionMeta | undefined)?.choice === choice))
          alternatives.push(chosen);
      }
      return alternatives;
    },
    activeStates: (snapshot) =>
      [...snapshot._nodes]
        .filter((node: AnyStateNode) => node.path.length > 0)
        .map((node: AnyStateNode) => statePath(node)),
    serialize: (snapshot) => JSON.stringify({ value: snapshot.value, context: snapshot.context }),
    abstractKey(snapshot) {
      const context = snapshot.context as Record<string, unknown>;
      let untimed = '';
      for (const field in context) {
        if (timerFields.has(field)) continue;
        const value = context[field];
        // Each field keeps its type, so plain text of numbers and strings cannot collide.
        untimed +=
          typeof value === 'number' || typeof value === 'string'
            ? `${value},`
            : Array.isArray(value) && value.every((item) => typeof item !== 'object')
              ? `[${value.join()}],`
              : `${JSON.stringify(value)},`;
      }
      const running = timers.flatMap((timer) => {
        const left = remaining(snapshot, timer);
        return left === null ? [] : [{ timer, left }];
      });
      const shape =
        running.length === 0
          ? ''
          : abstractTimeKey(running, timingConstants?.(snapshot) ?? [], periods ?? []);
      return `${JSON.stringify(snapshot.value)}|${untimed}|${shape}`;
    },
  };
}

/**
 * Computes steps without running them, with one actor scope for all (the machines spawn no
 * actors): the actions a step would execute, and the transitions its event selects, which
 * xstate reports to inspectors as the first microstep of the step. One `machine.transition`
 * thus gives what `getTransitionData` and `transition` gave, each computing the step.
 */
function inertScope(machine: AnyStateMachine) {
  const state = {
    actions: [] as unknown[],
    taken: [] as readonly { meta?: unknown }[],
    first: true,
  };
  const self = createActor(machine, {
    inspect: (inspection) => {
      if (inspection.type !== '@xstate.microstep' || !state.first) return;
      state.first = false;
      state.taken = (inspection as unknown as { _transitions: { meta?: unknown }[] })._transitions;
    },
  });
  const scope = {
    self,
    system: self.system,
    id: '',
    sessionId: '',
    defer: () => {},
    logger: () => {},
    stopChild: () => {},
    emit: () => {},
    actionExecutor: (action: unknown) => {
      state.actions.push(action);
    },
  };
  return {
    get actions() {
      return state.actions;
    },
    get taken() {
      return state.taken;
    },
    step(snapshot: ModelSnapshot, event: ModelEvent): ModelSnapshot {
      state.actions = [];
      state.taken = [];
      state.first = true;
      return machine.transition(snapshot as never, event as never, scope as never) as ModelSnapshot;
    },
  };
}

/**
 * The shape of time a set of running timers has, forgetting the amounts: the order of their
 * deadlines and which coincide, and where each remaining time, and each distance between two
 * deadlines, lies among the thresholds the timing constants give (below, at or above each).
 * The thresholds are 0, 1 ms and the constants, each also shifted by whole periods of the
 * timers that restart themselves (and by a millisecond either way), because what a timer
 * started later does depends on how its deadline falls against those: whether it ends before
 * another running one, with it, or after it, and how many periodic restarts come first. Two
 * snapshots of one shape thus take the same transitions on clock steps to just before and to
 * the next deadline, which is what a planner needs to explore a state space whose size does
 * not grow with the timer values.
 */
export function abstractTimeKey(
  running: readonly { readonly timer: string; readonly left: number }[],
  constants: readonly number[],
  periods: readonly number[] = [],
): string {
  const thresholds = thresholdsOf(constants, periods);
  const place = (ms: number) => {
    let low = 0;
    let high = thresholds.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((thresholds[middle] as number) < ms) low = middle + 1;
      else high = middle;
    }
    return thresholds[low] === ms ? `=${low}` : `<${low}`;
  };
  const sorted = [...running].sort((a, b) => a.left - b.left || (a.timer < b.timer ? -1 : 1));
  return sorted
    .map(({ timer, left }, index) => {
      let distances = '';
      for (let earlier = 0; earlier < index; earlier++)
        distances += `/${place(left - (sorted[earlier] as { left: number }).left)}`;
      return `${timer}${place(left)}${distances}`;
    })
    .join(',');
}

const thresholdCache = new Map<string, readonly number[]>();

function thresholdsOf(constants: readonly number[], periods: readonly number[]): readonly number[] {
  const key = `${constants.join()}|${periods.join()}`;
  const known = thresholdCache.get(key);
  if (known) return known;
  const offsets = [...new Set([0, 1, ...constants])];
  const ceiling = Math.max(1, ...constants);
  const values = new Set<number>();
  for (const offset of offsets) {
    for (const period of [0, ...periods]) {
      for (let shift = 0; shift <= (period === 0 ? 0 : ceiling + period); shift += period || 1) {
        for (const value of [
          shift + offset,
          shift - offset,
          shift + offset + 1,
          shift + offset - 1,
        ])
          if (value >= 0 && value <= ceiling + (periods[0] ?? 0)) values.add(value);
        if (period === 0) break;
      }
    }
  }
  const thresholds = [...values].sort((a, b) => a - b);
  thresholdCache.set(key, thresholds);
  return thresholds;
}

/**
 * A short digest of values that may hold functions (a machine's config and implementations,
 * say): the source text of each function counts, and so do the properties it carries.
 */
export function definitionDigest(values: readonly unknown[]): string {
  const seen = new WeakSet<object>();
  const parts: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'function') {
      if (seen.has(value)) return;
      seen.add(value);
      parts.push(`f:${value.toString()}`);
      for (const key of Object.keys(value)) {
        parts.push(`.${key}`);
        visit((value as unknown as Record<string, unknown>)[key]);
      }
      return;
    }
    if (typeof value !== 'object' || value === null) {
      parts.push(JSON.stringify(value) ?? String(value));
      return;
    }
    if (seen.has(value)) {
      parts.push('^');
      return;
    }
    seen.add(value);
    for (const key of Object.keys(value)) {
      parts.push(`.${key}`);
      visit((value as Record<string, unknown>)[key]);
    }
    parts.push(';');
  };
  for (const value of values) visit(value);
  // FNV-1a over the text, twice with different seeds: a 64-bit digest with no dependency.
  const text = parts.join('\n');
  let first = 0x811c9dc5;
  let second = 0x01000193 ^ text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 0x01000193) >>> 0;
    second = Math.imul(second ^ code, 0x0100019d) >>> 0;
  }
  return `${first.toString(16).padStart(8, '0')}${second.toString(16).padStart(8, '0')}`;
}

/** A second content type some templates list, so that a template supports several formats. */
const HTML = 'text/html';

/**
 * Failure codes a delivery notification is tried with: the SIP failure range 400 to 699 on both
 * sides of each of its ends, a success code, zero and a negative number (the API takes any Int32).
 */
export const FAILURE_CODES = [480, 400, 699, 399, 700, 200, 0, -1] as const;

/**
 * Composing time-outs a template is tried with that the model refuses (CONF-7's range of 1 ms to
 * 30 s, on the outer side of each end, and a value that is no whole number of milliseconds).
 */
export const INVALID_COMPOSING_TIMEOUTS = [0, MAX_COMPOSING_TIMEOUT_MS + 1, -1000, 1.5] as const;

/**
 * The templates the flow model exercises: default, each capability, several formats with a
 * time-out longer than two refresh periods, the inner side of both ends of the time-out's range,
 * and refused ones.
 */
export function flowTemplates(profile: Profile): (TemplateSpec | null)[] {
  return [
    null,
    ...(profile.capabilities.proxiedConsumption
      ? [{ consumptionMode: 'proxied-to-remote-entity' } as const]
      : []),
    {
      composingTimeoutMs: 2 * profile.timing.refreshPeriodMs + 1000,
      supportedFormats: [PLAIN_TEXT, HTML],
    },
    ...INVALID_COMPOSING_TIMEOUTS.map((composingTimeoutMs) => ({ composingTimeoutMs })),
    { composingTimeoutMs: 1 },
    { composingTimeoutMs: MAX_COMPOSING_TIMEOUT_MS },
  ];
}

function flowStimuli(profile: Profile, snapshot: ModelSnapshot): Stimulus[] {
  const context = snapshot.context as FlowContext;
  // Property runs pick a stimulus by its index in this list, and shrinking lowers the index:
  // setting Composing, offered in every state, has the same index everywhere, so that a
  // smaller counterexample (one that drops an earlier step) still picks the same operation.
  const [plainEstablish, ...otherTemplates] = flowTemplates(profile).map(
    (template) => ({ type: 'app.establish', template }) as const,
  );
  const refusedOutsideActive: Stimulus[] = [
    { type: 'app.initialize', template: { composingTimeoutMs: 10_000 } },
    { type: 'app.setIdle' },
    { type: 'app.deliverySuccess', message: 1 },
    { type: 'app.deliveryFailure', message: 1, code: 480 },
    { type: 'app.terminate' },
  ];
  if (snapshot.matches('idle')) {
    return [
      plainEstablish as Stimulus,
      { type: 'app.setComposing' },
      ...otherTemplates,
      { type: 'app.send', body: 'too-early', contentType: PLAIN_TEXT },
      ...refusedOutsideActive,
      // Before establishment the lifecycle decides, whatever the code (LIFE-3 before DN-9).
      { type: 'app.deliveryFailure', message: 1, code: 200 },
    ];
  }
  if (snapshot.matches('terminated')) {
    return [
      { type: 'app.send', body: 'too-late', contentType: PLAIN_TEXT },
      { type: 'app.setComposing' },
      { type: 'app.establish', template: null },
      ...refusedOutsideActive,
    ];
  }
  const stimuli: Stimulus[] = [
    { type: 'app.initialize', template: { composingTimeoutMs: 10_000 } },
    { type: 'app.setComposing' },
    { type: 'app.setIdle' },
  ];
  if (context.sent < BOUND_MESSAGES) {
    stimuli.push({
      type: 'app.send',
      body: `to-remote-${context.sent + 1}`,
      contentType: PLAIN_TEXT,
    });
  }
  if (context.received < BOUND_MESSAGES) {
    const body = `from-remote-${context.received + 1}`;
    stimuli.push(
      { type: 'remote.message', body, contentType: PLAIN_TEXT },
      { type: 'remote.message', body, contentType: UNSUPPORTED_FORMAT },
      { type: 'remote.message', body, contentType: HTML },
    );
  }
  if (context.mode === 'proxied-to-remote-entity') {
    for (let message = 1; message <= context.received + 1; message++) {
      stimuli.push(
        { type: 'app.deliverySuccess', message },
        { type: 'app.deliveryFailure', message, code: 480 },
      );
    }
    // Every code on a message still owed its notification, where the code decides the outcome.
    for (const message of context.awaiting) {
      for (const code of FAILURE_CODES.slice(1))
        stimuli.push({ type: 'app.deliveryFailure', message, code });
    }
  } else {
    stimuli.push(
      { type: 'app.deliverySuccess', message: 1 },
      { type: 'app.deliveryFailure', message: 1, code: 480 },
    );
  }
  stimuli.push({ type: 'remote.typing' }, { type: 'remote.idle' });
  for (let message = 1; message <= context.sent; message++) {
    stimuli.push(
      { type: 'remote.deliveryNotification', message, status: 'success' },
      { type: 'remote.deliveryNotification', message, status: 'failure', code: 480 },
    );
  }
  stimuli.push(
    { type: 'app.establish', template: null },
    { type: 'app.terminate' },
    { type: 'remote.bye' },
  );
  return stimuli;
}

function minOf(values: readonly (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : Math.min(...present);
}

function mcuStimuli(snapshot: ModelSnapshot): Stimulus[] {
  const context = snapshot.context as McuContext;
  const stimuli: Stimulus[] = [];
  if (context.conference === 'none' || snapshot.matches('terminated')) {
    stimuli.push({ type: 'conf.join', imMcu: true }, { type: 'conf.join', imMcu: false });
  }
  // The BeginJoin callback still comes to a session that reached Terminated at the join.
  if (context.terminatedAtJoin) stimuli.push({ type: 'server.joinCompleted' });
  if (snapshot.matches('terminated')) return stimuli;
  if (context.conference !== 'none' && !context.joinCompleted)
    stimuli.push({ type: 'server.joinCompleted' });
  if (snapshot.matches('idle') && context.conference === 'with-im-mcu') {
    stimuli.push({ type: 'server.mcuActivated' });
  }
  if (snapshot.matches('active')) {
    stimuli.push({ type: 'server.mcuFailover' }, { type: 'server.focusReconnecting' });
  }
  if (snapshot.matches('retrying')) {
    // Either completion ends Retrying, whatever started it.
    stimuli.push(
      { type: 'server.failoverCompleted' },
      { type: 'server.focusReconnected', mcuActive: true },
      { type: 'server.focusReconnected', mcuActive: false },
    );
    if (context.retryCause === 'awaiting-mcu') stimuli.push({ type: 'server.mcuActivated' });
  }
  if (context.conference !== 'none') stimuli.push({ type: 'conf.leave' });
  return stimuli;
}

/** The machines of the model, built for one profile. */
export function createModels(profile: Profile): MachineModel[] {
  const flow = createMachineModel({
    id: 'imFlow',
    title: 'InstantMessagingFlow',
    groups: [
      'flow-lifecycle',
      'configuration',
      'messaging',
      'delivery-notifications',
      'local-composing',
      'remote-composing',
    ],
    machine: createFlowMachine(profile),
    profile,
    stimuli: (snapshot) => flowStimuli(profile, snapshot),
    explored: (snapshot) => {
      // Local and remote composing share nothing: enumerating every offset between their
      // timers would multiply the graph without testing anything more. While one of them times
      // something, the traversal does not start the other (property runs still interleave them).
      const context = snapshot.context as FlowContext;
      const localTiming =
        context.refreshInMs !== null || context.timeoutInMs !== null || context.windowInMs !== null;
      const remoteTiming = context.remoteIdleInMs !== null;
      return flowStimuli(profile, snapshot).filter(
        (stimulus) =>
          !(localTiming && stimulus.type === 'remote.typing') &&
          !(remoteTiming && stimulus.type === 'app.setComposing' && !localTiming),
      );
    },
    explores: (snapshot) => composingExploration(profile, snapshot.context as FlowContext),
    timers: ['refreshInMs', 'timeoutInMs', 'windowInMs', 'remoteIdleInMs'],
    timingConstants: (snapshot) => {
      const { composingTimeoutMs } = snapshot.context as FlowContext;
      const { refreshPeriodMs, revertToleranceMs, remoteIdleMs } = profile.timing;
      return [
        refreshPeriodMs,
        revertToleranceMs,
        remoteIdleMs,
        composingTimeoutMs,
        // Where the first refresh cycle of a time-out ends (`composingExploration`).
        ...(composingTimeoutMs > refreshPeriodMs ? [composingTimeoutMs - refreshPeriodMs] : []),
      ];
    },
    periods: [profile.timing.refreshPeriodMs],
    queries: (snapshot) => {
      const flowState = snapshot.matches('idle')
        ? 'idle'
        : snapshot.matches('active')
          ? 'active'
          : 'terminated';
      if (flowState !== 'active') return { flowState };
      return {
        flowState,
        localComposingState: snapshot.matches({ active: { localComposing: 'idle' } })
          ? 'idle'
          : 'composing',
      };
    },
  });
  const mcu = createMachineModel({
    id: 'mcuSession',
    title: 'InstantMessagingMcuSession',
    groups: ['mcu-session'],
    capability: 'mcuSession',
    machine: createMcuMachine(profile),
    profile,
    stimuli: mcuStimuli,
    timers: [],
    queries: (snapshot) => ({ mcuState: snapshot.value as Queries['mcuState'] }),
  });
  return [flow, mcu];
}

/** How much of a snapshot a traversal explores (`MachineModel.explores`). */
export type Exploration = 'everything' | 'clock-steps' | 'next-deadline';

/**
 * While local composing refreshes with its time-out more than a refresh period and the
 * revert tolerance away, whatever the application does it can do again in the last cycles
 * before the time-out, with the timers in the same order, and those cycles are reached by
 * running the clock on: the stimuli are explored there, not in each earlier cycle, which
 * would add a copy of those states per period and let the graph grow with the time-out. The
 * first cycle keeps its clock steps, so that the first refresh is still probed a millisecond
 * before it is due as under a short time-out; the cycles after it only run to each next
 * deadline. Both bounds are thresholds of the abstract time key, so snapshots of one key are
 * explored alike.
 */
function composingExploration(profile: Profile, context: FlowContext): Exploration {
  const { timeoutInMs, refreshInMs, composingTimeoutMs } = context;
  if (timeoutInMs === null || refreshInMs === null) return 'everything';
  const { refreshPeriodMs, revertToleranceMs } = profile.timing;
  if (timeoutInMs <= refreshPeriodMs + revertToleranceMs + 1) return 'everything';
  return timeoutInMs < composingTimeoutMs - refreshPeriodMs ? 'next-deadline' : 'clock-steps';
}

/**
 * A clock step a traversal explores, named by where it goes: to just before the next deadline,
 * exactly to it, or part-way into the only running timer (where a stimulus that should restart
 * that timer is tested: an implementation that does not restart it ends too early).
 */
export type ClockStepKind = 'before-deadline' | 'deadline' | 'part-way';

/** The clock steps a traversal explores from a snapshot, each with its amount here. */
export function clockSteps(
  model: MachineModel,
  snapshot: ModelSnapshot,
): { readonly kind: ClockStepKind; readonly ms: number }[] {
  const deadline = model.nextDeadlineMs(snapshot);
  if (deadline === null) return [];
  // One millisecond before a deadline is a probe of the boundary, not a place to branch from:
  // branching there would let timers drift apart a millisecond at a time and blow up the space.
  // Where time repeats a stretch explored anyway, the boundary was probed there.
  if (deadline === 1 || model.explores(snapshot) === 'next-deadline')
    return [{ kind: 'deadline', ms: deadline }];
  const steps: { kind: ClockStepKind; ms: number }[] = [];
  // Only with one timer running: a step part-way between two would not keep their order.
  if (deadline > 2 && model.runningTimers(snapshot) === 1)
    steps.push({ kind: 'part-way', ms: Math.floor(deadline / 2) });
  steps.push({ kind: 'before-deadline', ms: deadline - 1 }, { kind: 'deadline', ms: deadline });
  return steps;
}

/**
 * Applies a stimulus, a clock advance cut at each deadline on the way as the kit's runner cuts
 * it, so that every timer that falls due fires at its own instant.
 */
export function stepAcrossDeadlines(
  model: MachineModel,
  snapshot: ModelSnapshot,
  stimulus: Stimulus,
): { snapshot: ModelSnapshot; outputs: readonly Output[] } {
  if (stimulus.type !== 'clock.advance') return model.step(snapshot, stimulus);
  const outputs: Output[] = [];
  let current = snapshot;
  let remaining = stimulus.ms;
  while (remaining > 0) {
    const deadline = model.nextDeadlineMs(current);
    const ms = deadline === null ? remaining : Math.min(remaining, deadline);
    const result = model.step(current, { type: 'clock.advance', ms });
    outputs.push(...result.outputs);
    current = result.snapshot;
    remaining -= ms;
  }
  return { snapshot: current, outputs };
}

/**
 * Which boundary a clock advance of `ms` probes from a snapshot: exactly the next deadline, or
 * just before it; undefined for any other amount.
 */
export function boundaryProbed(
  model: MachineModel,
  snapshot: ModelSnapshot,
  ms: number,
): Exclude<ClockStepKind, 'part-way'> | undefined {
  const deadline = model.nextDeadlineMs(snapshot);
  if (deadline === null) return undefined;
  if (ms === deadline) return 'deadline';
  if (ms === deadline - 1 && deadline > 1) return 'before-deadline';
  return undefined;
}

/**
 * The events a traversal explores from a snapshot: the stimuli, plus the clock steps of
 * `clockSteps`, so that every timer is tested on both sides of its boundary. Where time
 * repeats a stretch explored anyway, or the same stimuli come later, only the clock runs on
 * (`MachineModel.explores`).
 */
export function explorationEvents(model: MachineModel, snapshot: ModelSnapshot): Stimulus[] {
  const clock = clockSteps(model, snapshot).map(
    ({ ms }): Stimulus => ({ type: 'clock.advance', ms }),
  );
  if (model.nextDeadlineMs(snapshot) === 1 || model.explores(snapshot) !== 'everything')
    return clock;
  return [...model.explored(snapshot), ...clock];
}

import {
  branchName,
  formatOutput,
  type MachineModel,
  type ModelEvent,
  type ModelSnapshot,
  type Output,
  type Queries,
  rulesForQuery,
  rulesForUnexpectedOutput,
  type Stimulus,
  type TransitionMeta,
} from '../machines/index.ts';

/** What the implementation did in one step, as the kit saw it. */
export interface Observation {
  readonly outputs: readonly Output[];
  readonly queries: Queries;
  /**
   * Of `outputs`, those a clock step saw before its end. What time obliges is due at the very
   * end of a clock step (the runner cuts clock steps at the model's deadlines); only a
   * spontaneous move of the implementation (the revert inside its window) may come earlier.
   */
  readonly early?: readonly Output[];
}

export interface QueryMismatch {
  readonly query: keyof Queries;
  readonly expected: string;
  readonly observed: string;
}

/** What the adapter declared it can see, so the oracle judges only that. */
export interface JudgeOptions {
  /** False for outputs the adapter cannot observe: they are left out on both sides. */
  readonly observable?: (output: Output) => boolean;
  /** The queries the adapter answers; an expected value left unanswered is a mismatch. */
  readonly answered?: readonly (keyof Queries)[];
}

/** A should-rule the implementation departed from in a step the model still allows. */
export interface Advisory {
  readonly requirement: string;
  /** The transition of the model that carried the departure. */
  readonly transition: string;
}

export type Judgement =
  | {
      readonly ok: true;
      readonly snapshot: ModelSnapshot;
      readonly transitions: readonly TransitionMeta[];
      /**
       * The moves the model made, in order (`branchName` of each; `branchEvent` rebuilds them
       * from the stimulus), when the implementation chose among several.
       */
      readonly branch: readonly string[];
      readonly expected: Observation;
      /** Should-rules the continuation taken departs from; empty on the preferred one. */
      readonly advisories: readonly Advisory[];
    }
  | {
      readonly ok: false;
      readonly transitions: readonly TransitionMeta[];
      readonly expected: Observation;
      readonly missing: readonly Output[];
      readonly unexpected: readonly Output[];
      /** Expected outputs reported before they were due (see `Observation.early`). */
      readonly untimely: readonly Output[];
      readonly queryMismatches: readonly QueryMismatch[];
      readonly requirements: readonly string[];
      /**
       * The model state that explains what was observed, where exactly one does: a
       * continuation whose state readings all agree with the observation (only outputs were
       * missing, extra or early), or, for an operation, the state before the step (the
       * implementation did nothing with it). A case may go on from there, so that a later bug
       * still shows; absent when no state, or more than one, explains the observation.
       */
      readonly continuation?: Continuation;
    };

/** A model state to go on from after a failing step, and the model events that led to it. */
export interface Continuation {
  readonly snapshot: ModelSnapshot;
  readonly transitions: readonly TransitionMeta[];
  /** `branchName` of each model event; empty when the step had no effect on the model. */
  readonly branch: readonly string[];
}

interface Candidate {
  readonly events: readonly ModelEvent[];
  readonly snapshot: ModelSnapshot;
  readonly outputs: readonly Output[];
  /** The outputs of the implementation's own moves, which may come at any time in the step. */
  readonly spontaneousOutputs: readonly Output[];
  readonly transitions: readonly TransitionMeta[];
}

function run(
  model: MachineModel,
  snapshot: ModelSnapshot,
  events: readonly ModelEvent[],
): Candidate {
  let current = snapshot;
  const outputs: Output[] = [];
  const spontaneousOutputs: Output[] = [];
  const transitions: TransitionMeta[] = [];
  for (const event of events) {
    const result = model.step(current, event);
    current = result.snapshot;
    outputs.push(...result.outputs);
    if (event.type === 'sut.revert') spontaneousOutputs.push(...result.outputs);
    transitions.push(...result.transitions);
  }
  return { events, snapshot: current, outputs, spontaneousOutputs, transitions };
}

/**
 * Every way the model allows this step to go: the stimulus handled the preferred way or along
 * any allowed branch (see `MachineModel.alternatives`), and for a clock step each of those with
 * a spontaneous move of the implementation (the revert inside its window) just before or just
 * after the time passes.
 */
function candidates(model: MachineModel, snapshot: ModelSnapshot, stimulus: Stimulus): Candidate[] {
  const waysFrom = (from: ModelSnapshot): ModelEvent[] => [
    stimulus,
    ...model.alternatives(from, stimulus),
  ];
  const result: Candidate[] = [];
  for (const way of waysFrom(snapshot)) {
    const plain = run(model, snapshot, [way]);
    result.push(plain);
    if (stimulus.type !== 'clock.advance') continue;
    for (const move of model.spontaneous(plain.snapshot))
      result.push(run(model, snapshot, [way, move]));
  }
  if (stimulus.type !== 'clock.advance') return result;
  for (const move of model.spontaneous(snapshot)) {
    // After the move the clock step may have other allowed branches than before it.
    for (const way of waysFrom(model.step(snapshot, move).snapshot))
      result.push(run(model, snapshot, [move, way]));
  }
  return result;
}

/** The should-rules a continuation departs from, one advisory per rule and transition. */
function advisoriesOf(transitions: readonly TransitionMeta[]): Advisory[] {
  return transitions.flatMap((t) =>
    (t.deviates ?? []).map((requirement) => ({ requirement, transition: t.id })),
  );
}

/** Multiset difference of outputs, compared by their canonical text. */
function difference(left: readonly Output[], right: readonly Output[]): Output[] {
  const remaining = right.map(formatOutput);
  const extra: Output[] = [];
  for (const output of left) {
    const index = remaining.indexOf(formatOutput(output));
    if (index === -1) extra.push(output);
    else remaining.splice(index, 1);
  }
  return extra;
}

const NO_ANSWER = '(no answer)';

function compareQueries(
  expected: Queries,
  observed: Queries,
  answered: readonly (keyof Queries)[] | undefined,
): QueryMismatch[] {
  const mismatches: QueryMismatch[] = [];
  for (const query of Object.keys(expected) as (keyof Queries)[]) {
    const want = expected[query];
    const got = observed[query];
    if (want === undefined) continue;
    if (got === undefined) {
      if (answered?.includes(query))
        mismatches.push({ query, expected: want, observed: NO_ANSWER });
    } else if (want !== got) {
      mismatches.push({ query, expected: want, observed: got });
    }
  }
  return mismatches;
}

/**
 * Judges one step: the observation must equal, as a multiset of outputs and as state readings,
 * what one of the model's allowed continuations predicts. No missing output, no extra one, and
 * none early: only that continuation's spontaneous moves may explain `observation.early`.
 */
export function judgeStep(
  model: MachineModel,
  snapshot: ModelSnapshot,
  stimulus: Stimulus,
  seen: Observation,
  judgeOptions: JudgeOptions = {},
): Judgement {
  const { observable, answered } = judgeOptions;
  const visible = (outputs: readonly Output[]) =>
    observable ? outputs.filter((output) => observable(output)) : outputs;
  const observation: Observation = {
    outputs: visible(seen.outputs),
    queries: seen.queries,
    ...(seen.early ? { early: visible(seen.early) } : {}),
  };
  const all = candidates(model, snapshot, stimulus).map((option) => ({
    ...option,
    outputs: visible(option.outputs),
    spontaneousOutputs: visible(option.spontaneousOutputs),
  }));
  // A known fault never explains a passing step; it may only explain a failed one.
  const isFault = (option: Candidate) => option.transitions.some((t) => t.fault);
  const options = all.filter((option) => !isFault(option));
  // Of the continuations that explain the observation, the one closest to UCMA's likely
  // behaviour: the fewest departures from should-rules (the preferred branch has none).
  let chosen: { option: (typeof options)[number]; advisories: Advisory[] } | undefined;
  for (const option of options) {
    const queries = model.queries(option.snapshot);
    const matches =
      difference(observation.outputs, option.outputs).length === 0 &&
      difference(option.outputs, observation.outputs).length === 0 &&
      difference(observation.early ?? [], option.spontaneousOutputs).length === 0 &&
      compareQueries(queries, observation.queries, answered).length === 0;
    if (!matches) continue;
    const advisories = advisoriesOf(option.transitions);
    if (!chosen || advisories.length < chosen.advisories.length) chosen = { option, advisories };
    if (advisories.length === 0) break;
  }
  if (chosen) {
    const { option, advisories } = chosen;
    return {
      ok: true,
      snapshot: option.snapshot,
      transitions: option.transitions,
      branch: option.events.map(branchName),
      expected: { outputs: option.outputs, queries: model.queries(option.snapshot) },
      advisories,
    };
  }
  // Report against the continuation closest to what was seen, so the diff is small.
  const score = (option: Candidate) => {
    const expected = { outputs: option.outputs, queries: model.queries(option.snapshot) };
    const missing = difference(option.outputs, observation.outputs);
    const unexpected = difference(observation.outputs, option.outputs);
    // Early and expected: right output, wrong time (an early one not expected is unexpected).
    const untimely = difference(
      difference(observation.early ?? [], option.spontaneousOutputs),
      unexpected,
    );
    const queryMismatches = compareQueries(expected.queries, observation.queries, answered);
    return {
      option,
      expected,
      missing,
      unexpected,
      untimely,
      queryMismatches,
      score: missing.length + unexpected.length + untimely.length + queryMismatches.length,
    };
  };
  const scored = options.map(score);
  scored.sort((a, b) => a.score - b.score);
  const best = scored[0] as (typeof scored)[number];
  const states = model.activeStates(snapshot);
  const blame = (explanation: (typeof scored)[number]): string[] => {
    const found = new Set<string>();
    const inPlay = new Set(explanation.option.transitions.flatMap((t) => t.requirements));
    // Of the rules that govern an observation, blame those the step was exercising, if any.
    const focused = (rules: readonly string[], fallback: readonly string[]) => {
      const inStep = rules.filter((id) => inPlay.has(id));
      return inStep.length > 0 ? inStep : fallback;
    };
    for (const output of explanation.missing) {
      for (const id of focused(rulesForUnexpectedOutput(output, states), [...inPlay]))
        found.add(id);
    }
    for (const output of [...explanation.unexpected, ...explanation.untimely]) {
      const rules = rulesForUnexpectedOutput(output, states);
      for (const id of focused(rules, rules)) found.add(id);
    }
    for (const mismatch of explanation.queryMismatches) {
      const rules = rulesForQuery(mismatch.query);
      // A wrong state reading the step's own rules do not govern was caused earlier: every
      // rule about that state is a suspect.
      for (const id of focused(rules, rules)) found.add(id);
    }
    return [...found];
  };
  // Equally close explanations are equally likely: a revert without its Idle notification and
  // no revert at all differ by one observation each, so both readings are named.
  const requirements = new Set(
    scored.filter((explanation) => explanation.score === best.score).flatMap(blame),
  );
  const continuation = consistentState(
    model,
    snapshot,
    stimulus,
    observation,
    [...scored, ...all.filter(isFault).map(score)],
    answered,
  );
  return {
    ok: false,
    ...(continuation ? { continuation } : {}),
    transitions: best.option.transitions,
    expected: best.expected,
    missing: best.missing,
    unexpected: best.unexpected,
    untimely: best.untimely,
    queryMismatches: best.queryMismatches,
    requirements: [...requirements].sort(),
  };
}

/**
 * The one model state consistent with a failed step's observation: of the continuations whose
 * state readings all agree with what was seen (or, for an operation none of them explains, the
 * state before it), the closest in outputs. None when no reading agrees, when the adapter answers no query at all
 * (nothing would confirm the state), or when equally close explanations leave the model in
 * different states: a guess could then blame a later step for the first bug. None after a
 * clock step either (see below).
 */
function consistentState(
  model: MachineModel,
  before: ModelSnapshot,
  stimulus: Stimulus,
  observation: Observation,
  scored: readonly {
    readonly option: Candidate;
    readonly queryMismatches: readonly QueryMismatch[];
    readonly score: number;
  }[],
  answered: readonly (keyof Queries)[] | undefined,
): Continuation | undefined {
  if (Object.keys(observation.queries).length === 0) return undefined;
  // After a failing clock step the implementation's timers no longer run in step with the
  // model's (a refresh sent a millisecond early is due again a period after it, not after the
  // model's): every later deadline would fail again, and blame rules the implementation keeps.
  if (stimulus.type === 'clock.advance') return undefined;
  const explanations = scored
    .filter((explanation) => explanation.queryMismatches.length === 0)
    .map(({ option, score }) => ({
      snapshot: option.snapshot,
      transitions: option.transitions,
      branch: option.events.map(branchName),
      score,
    }));
  // The state the step should have reached comes first; an operation without any effect is
  // the explanation only where no continuation's readings agree.
  if (explanations.length === 0) {
    const unchanged = compareQueries(model.queries(before), observation.queries, answered);
    if (unchanged.length === 0) {
      explanations.push({
        snapshot: before,
        transitions: [],
        branch: [],
        score: observation.outputs.length,
      });
    }
  }
  if (explanations.length === 0) return undefined;
  const closest = Math.min(...explanations.map((explanation) => explanation.score));
  const tied = explanations.filter((explanation) => explanation.score === closest);
  const states = new Set(tied.map((explanation) => model.serialize(explanation.snapshot)));
  if (states.size > 1) return undefined;
  const [chosen] = tied;
  if (!chosen) return undefined;
  return { snapshot: chosen.snapshot, transitions: chosen.transitions, branch: chosen.branch };
}

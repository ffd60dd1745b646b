import {
  createModels,
  declaredTransitions,
  defaultProfile,
  type Output,
  type Queries,
  type Requirement,
  rulesForQuery,
  rulesForUnexpectedOutput,
  type Stimulus,
} from '../machines/index.ts';
import type { Declarations, OutputPattern, StimulusPattern } from './adapter.ts';
import type { JudgeOptions } from './oracle.ts';
import { eventNames, queryValues, wireKinds } from './output-shape.ts';

/**
 * An adapter's declarations, checked and put to work: what the oracle may judge, what the
 * planner and the property generator may drive, and which rules the adapter cannot show.
 */
export interface ResolvedDeclarations {
  readonly declared: Declarations;
  /** False for an output the adapter declares it cannot observe. */
  readonly observable: (output: Output) => boolean;
  /** False for a stimulus the adapter declares unsupported where the model reads `queries`. */
  readonly supported: (stimulus: Stimulus, queries: Queries) => boolean;
  /** The queries the adapter answers: those declared, or all of them. */
  readonly answered: readonly (keyof Queries)[];
  /** The options `judgeStep` takes for this adapter. */
  readonly judge: JudgeOptions;
  /** A stable text of the declarations, for caches keyed by them. */
  readonly key: string;
}

const QUERIES = Object.keys(queryValues) as (keyof Queries)[];
const DECLARATION_KEYS = ['unobservable', 'unsupported', 'queries'];

/** Every stimulus type the machines react to; the clock is the kit's and never unsupported. */
const STIMULUS_TYPES: ReadonlySet<string> = new Set(
  createModels(defaultProfile)
    .flatMap((model) => declaredTransitions(model.machine).map((t) => t.event))
    .filter((event) => event !== 'sut.revert' && event !== 'clock.advance'),
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function known(set: Iterable<string>): string {
  return [...set].join(', ');
}

function outputPatternProblems(value: unknown, where: string): string[] {
  if (!isRecord(value))
    return [`${where} must be an object such as { channel: 'wire', kind: 'bye' }.`];
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (!['channel', 'kind', 'name', 'operation'].includes(key))
      problems.push(
        `${where}.${key} is not a field of an output pattern; use channel, kind, name or operation.`,
      );
  }
  const { channel, kind, name, operation } = value;
  if (channel !== 'event' && channel !== 'wire' && channel !== 'error') {
    problems.push(
      `${where}.channel must be "event", "wire" or "error", got ${JSON.stringify(channel)}.`,
    );
    return problems;
  }
  if (channel === 'wire') {
    if (kind !== undefined && !wireKinds.has(kind as string))
      problems.push(
        `${where}.kind is ${JSON.stringify(kind)}, no wire output; known: ${known(wireKinds)}.`,
      );
    if (name !== undefined)
      problems.push(`${where}.name belongs to events; a wire output has a kind.`);
  }
  if (channel === 'event') {
    if (name !== undefined && !eventNames.has(name as string))
      problems.push(
        `${where}.name is ${JSON.stringify(name)}, no event; known: ${known(eventNames)}.`,
      );
    if (kind !== undefined)
      problems.push(`${where}.kind belongs to wire outputs; an event has a name.`);
  }
  if (channel === 'error') {
    if (operation !== undefined && !STIMULUS_TYPES.has(operation as string))
      problems.push(
        `${where}.operation is ${JSON.stringify(operation)}, no stimulus; known: ${known(STIMULUS_TYPES)}.`,
      );
    if (kind !== undefined && kind !== 'invalid-operation' && kind !== 'invalid-argument')
      problems.push(
        `${where}.kind of an error is "invalid-operation" or "invalid-argument", got ${JSON.stringify(kind)}.`,
      );
  }
  if (channel !== 'error' && operation !== undefined)
    problems.push(`${where}.operation belongs to errors (channel "error").`);
  return problems;
}

function stimulusPatternProblems(value: unknown, where: string): string[] {
  if (!isRecord(value))
    return [
      `${where} must be an object such as { type: 'server.focusReconnected', mcuActive: false }.`,
    ];
  const problems: string[] = [];
  if (value.type === 'clock.advance') {
    problems.push(
      `${where}.type is "clock.advance": the kit alone moves the virtual clock, so it cannot be unsupported.`,
    );
  } else if (!STIMULUS_TYPES.has(value.type as string)) {
    problems.push(
      `${where}.type is ${JSON.stringify(value.type)}, no stimulus; known: ${known(STIMULUS_TYPES)}.`,
    );
  }
  if (value.when !== undefined) {
    if (!isRecord(value.when)) {
      problems.push(
        `${where}.when must be an object of state readings such as { flowState: 'idle' }.`,
      );
    } else {
      for (const [query, reading] of Object.entries(value.when)) {
        const allowed = queryValues[query as keyof Queries];
        if (!allowed)
          problems.push(`${where}.when.${query} is no state query; known: ${known(QUERIES)}.`);
        else if (!allowed.includes(reading as string))
          problems.push(
            `${where}.when.${query} is ${JSON.stringify(reading)}; allowed: ${allowed.join(', ')}.`,
          );
      }
    }
  }
  return problems;
}

/**
 * What is wrong with an adapter's `declarations`, one sentence per problem naming the field
 * (`declarations.unobservable[1].kind`) and what it may be; empty when they are sound.
 */
export function declarationsProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (!isRecord(value))
    return ['declarations must be an object with unobservable, unsupported and/or queries.'];
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (!DECLARATION_KEYS.includes(key))
      problems.push(
        `declarations.${key} is not a declaration; known: ${DECLARATION_KEYS.join(', ')}.`,
      );
  }
  const list = (key: string, check: (item: unknown, where: string) => string[]) => {
    const items = value[key];
    if (items === undefined) return;
    if (!Array.isArray(items)) {
      problems.push(`declarations.${key} must be an array.`);
      return;
    }
    for (const [index, item] of items.entries())
      problems.push(...check(item, `declarations.${key}[${index}]`));
  };
  list('unobservable', outputPatternProblems);
  list('unsupported', stimulusPatternProblems);
  const seen = new Set<unknown>();
  list('queries', (item, where) => {
    if (!QUERIES.includes(item as keyof Queries))
      return [`${where} is ${JSON.stringify(item)}, no state query; known: ${known(QUERIES)}.`];
    if (seen.has(item)) return [`${where} repeats ${JSON.stringify(item)}.`];
    seen.add(item);
    return [];
  });
  return problems;
}

/** Thrown when declarations given programmatically (not through `loadAdapter`) are unsound. */
export class DeclarationsError extends Error {
  override name = 'DeclarationsError';
}

function matchesOutput(pattern: OutputPattern, output: Output): boolean {
  if (pattern.channel !== output.channel) return false;
  const fields = output as unknown as Record<string, unknown>;
  return (['kind', 'name', 'operation'] as const).every(
    (field) => pattern[field] === undefined || pattern[field] === fields[field],
  );
}

function matchesStimulus(pattern: StimulusPattern, stimulus: Stimulus, queries: Queries): boolean {
  if (pattern.type !== stimulus.type) return false;
  const fields = stimulus as unknown as Record<string, unknown>;
  for (const [field, wanted] of Object.entries(pattern)) {
    if (field === 'type' || field === 'when') continue;
    if (JSON.stringify(fields[field]) !== JSON.stringify(wanted)) return false;
  }
  const when = pattern.when ?? {};
  return (Object.keys(when) as (keyof Queries)[]).every((query) => when[query] === queries[query]);
}

/** Checks an adapter's declarations and builds what the kit needs from them. */
export function resolveDeclarations(declarations: Declarations | undefined): ResolvedDeclarations {
  const problems = declarationsProblems(declarations);
  if (problems.length > 0)
    throw new DeclarationsError(
      `The adapter's declarations are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  const declared = declarations ?? {};
  const unobservable = declared.unobservable ?? [];
  const unsupported = declared.unsupported ?? [];
  const answered = declared.queries ? [...declared.queries] : QUERIES;
  const observable = (output: Output) => !unobservable.some((p) => matchesOutput(p, output));
  return {
    declared,
    observable,
    supported: (stimulus, queries) =>
      !unsupported.some((p) => matchesStimulus(p, stimulus, queries)),
    answered,
    judge: { ...(unobservable.length > 0 ? { observable } : {}), answered },
    key: JSON.stringify([unobservable, unsupported, answered]),
  };
}

/** One line for a stimulus pattern: `server.focusReconnected mcuActive=false`, `app.send while flowState is idle`. */
export function formatStimulusPattern(pattern: StimulusPattern): string {
  const fields = Object.entries(pattern)
    .filter(([key]) => key !== 'type' && key !== 'when')
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  const when = Object.entries(pattern.when ?? {}).map(
    ([query, reading]) => `${query} is ${reading}`,
  );
  return [
    pattern.type,
    ...fields,
    ...(when.length > 0 ? [`while ${when.join(' and ')}`] : []),
  ].join(' ');
}

/**
 * Stimulus patterns as one phrase, those with the same `when` joined:
 * `app.send, app.setIdle while flowState is idle; server.focusReconnected mcuActive=false`.
 */
export function formatStimulusPatterns(patterns: readonly StimulusPattern[]): string {
  const groups = new Map<string, string[]>();
  for (const pattern of patterns) {
    const { when, ...rest } = pattern;
    const head = formatStimulusPattern(rest as StimulusPattern);
    const condition = when ? formatStimulusPattern({ type: '' as never, when }).trim() : '';
    groups.set(condition, [...(groups.get(condition) ?? []), head]);
  }
  return [...groups]
    .map(([condition, heads]) => `${heads.join(', ')}${condition ? ` ${condition}` : ''}`)
    .join('; ');
}

/** One line for an output pattern: `wire bye`, `event (all)`. */
export function formatOutputPattern(pattern: OutputPattern): string {
  return [pattern.channel, pattern.kind ?? pattern.name ?? pattern.operation ?? '(all)'].join(' ');
}

/** The observations a rule can be seen through: output kinds and state queries. */
interface Observations {
  readonly outputs: readonly string[];
  readonly queries: readonly (keyof Queries)[];
}

function sampleOutputs(): { label: string; output: Output }[] {
  return [
    ...[...eventNames].map((name) => ({
      label: `event ${name}`,
      output: { channel: 'event', name },
    })),
    ...[...wireKinds].map((kind) => ({ label: `wire ${kind}`, output: { channel: 'wire', kind } })),
    {
      label: 'error',
      output: { channel: 'error', operation: 'app.send', kind: 'invalid-operation' },
    },
  ] as { label: string; output: Output }[];
}

function observationsOf(requirement: Requirement): Observations {
  return {
    outputs: sampleOutputs()
      .filter(({ output }) => rulesForUnexpectedOutput(output).includes(requirement.id))
      .map(({ label }) => label),
    queries: QUERIES.filter((query) => rulesForQuery(query).includes(requirement.id)),
  };
}

/**
 * How the declarations limit what a rule can show. `untestable` when every observation the rule
 * governs is hidden from this adapter (it can then never be failed); `partly` lists those hidden
 * when some remain.
 */
export function observabilityOf(
  requirement: Requirement,
  resolved: ResolvedDeclarations,
): { untestable?: string; partly?: string } {
  const { outputs, queries } = observationsOf(requirement);
  if (outputs.length + queries.length === 0) return {};
  const samples = new Map(sampleOutputs().map(({ label, output }) => [label, output]));
  // A kind counts as hidden only when the adapter can observe none of it: a pattern narrowed by
  // operation (or, for errors, by kind) leaves the rest of the kind in view.
  const hidesKind = (pattern: OutputPattern, sample: Output) =>
    pattern.operation === undefined &&
    (pattern.channel !== 'error' || pattern.kind === undefined) &&
    matchesOutput(pattern, sample);
  const patterns = resolved.declared.unobservable ?? [];
  const hiddenOutputs = outputs.filter((label) =>
    patterns.some((pattern) => hidesKind(pattern, samples.get(label) as Output)),
  );
  const hiddenQueries = queries.filter((query) => !resolved.answered.includes(query));
  const hidden = [...hiddenOutputs, ...hiddenQueries.map((query) => `the ${query} reading`)];
  if (hidden.length === 0) return {};
  const listed =
    hidden.length === 1 ? hidden[0] : `${hidden.slice(0, -1).join(', ')} and ${hidden.at(-1)}`;
  const why = `${listed}, which this adapter declares it cannot observe`;
  if (hidden.length === outputs.length + queries.length)
    return { untestable: `Untestable for this adapter: the rule shows only through ${why}.` };
  return { partly: `Partly unobserved: not through ${why}.` };
}

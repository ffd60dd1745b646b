import {
  type ApplicationEvent,
  builtInProfiles,
  type ComposingState,
  type ErrorKind,
  type FlowState,
  type McuState,
  type Queries,
  type Stimulus,
  type WireOutput,
} from '../machines/index.ts';
import { EARLY_TOLERANCE_MS, TRACE_FORMAT, type Trace, type TraceStep } from './trace.ts';

/**
 * The JSON Schema of trace files (`imflow replay`, `imflow verify-trace`), built from the
 * model's alphabet. The mapped types below make the compiler refuse a schema that misses a
 * stimulus, an output or a field of one, or names one the alphabet does not have; the
 * published file, docs/schema/trace.schema.json, is generated from this object.
 */

type JsonSchema = Readonly<Record<string, unknown>>;

/** A schema for every field of `T` but the discriminating ones, each field named once. */
type FieldSchemas<T, Discriminants extends keyof T> = {
  readonly [K in Exclude<keyof T, Discriminants>]-?: JsonSchema;
};

/** The fields of `T` that may be left out. */
type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

const string = { type: 'string' } as const;
const ordinal = { type: 'integer', minimum: 1, description: 'Counted from 1.' } as const;
const statusCode = { type: 'integer', minimum: 100, maximum: 699 } as const;
/** The code an application passes: any Int32, since the kit also tries those DN-9 refuses. */
const anyCode = { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 } as const;
const deliveryStatus = { enum: ['success', 'failure'] } as const;

function enumOf<T extends string>(values: Readonly<Record<T, true>>): JsonSchema {
  return { enum: Object.keys(values) };
}

const flowStates = enumOf<FlowState>({ idle: true, active: true, terminated: true });
const composingStates = enumOf<ComposingState>({ idle: true, composing: true });
const mcuStates = enumOf<McuState>({ idle: true, active: true, retrying: true, terminated: true });
const errorKinds = enumOf<ErrorKind>({ 'invalid-operation': true, 'invalid-argument': true });

const template: JsonSchema = {
  type: 'object',
  properties: {
    consumptionMode: { enum: ['consumed-locally', 'proxied-to-remote-entity'] },
    // Any number: the kit also tries values the model refuses (CONF-7), negative ones included.
    composingTimeoutMs: { type: 'number' },
    supportedFormats: { type: 'array', items: string },
  },
  additionalProperties: false,
};

type StimulusFields = {
  readonly [T in Stimulus['type']]: FieldSchemas<Extract<Stimulus, { type: T }>, 'type'>;
};

const stimulusFields: StimulusFields = {
  'app.establish': { template: { oneOf: [template, { type: 'null' }] } },
  'app.initialize': { template },
  'app.send': { body: string, contentType: string },
  'app.setComposing': {},
  'app.setIdle': {},
  'app.deliverySuccess': { message: ordinal },
  'app.deliveryFailure': { message: ordinal, code: anyCode },
  'app.terminate': {},
  'remote.message': { body: string, contentType: string },
  'remote.typing': {},
  'remote.idle': {},
  'remote.deliveryNotification': { message: ordinal, status: deliveryStatus, code: statusCode },
  'remote.bye': {},
  'conf.join': { imMcu: { type: 'boolean' } },
  'conf.leave': {},
  'server.joinCompleted': {},
  'server.mcuActivated': {},
  'server.mcuFailover': {},
  'server.focusReconnecting': {},
  'server.failoverCompleted': {},
  'server.focusReconnected': { mcuActive: { type: 'boolean' } },
  'clock.advance': { ms: { type: 'number', minimum: 0, description: 'Virtual milliseconds.' } },
};

type EventFields = {
  readonly [N in ApplicationEvent['name']]: FieldSchemas<
    Extract<ApplicationEvent, { name: N }>,
    'channel' | 'name'
  >;
};

const eventFields: EventFields = {
  flowConfigurationRequested: {},
  flowStateChanged: { state: flowStates },
  messageReceived: { body: string, contentType: string },
  deliveryNotificationReceived: { message: ordinal, status: deliveryStatus, code: statusCode },
  remoteComposingStateChanged: { state: composingStates },
  mcuStateChanged: { state: mcuStates },
  joinCompleted: {},
};

type WireFields = {
  readonly [K in WireOutput['kind']]: FieldSchemas<
    Extract<WireOutput, { kind: K }>,
    'channel' | 'kind'
  >;
};

const wireFields: WireFields = {
  message: { body: string, contentType: string },
  composing: { state: { enum: ['typing', 'idle'] } },
  response: { message: ordinal, code: statusCode },
  deliveryNotification: { message: ordinal, status: deliveryStatus, code: statusCode },
  bye: {},
  mcuCallTerminated: {},
};

/** Fields that may be absent, per variant: the optional `code` of delivery notifications. */
const optionalFields: readonly (
  | OptionalKeys<Extract<Stimulus, { type: 'remote.deliveryNotification' }>>
  | OptionalKeys<Extract<ApplicationEvent, { name: 'deliveryNotificationReceived' }>>
)[] = ['code'];

function variant(
  discriminants: Readonly<Record<string, string>>,
  fields: Readonly<Record<string, JsonSchema>>,
): JsonSchema {
  const names = Object.keys(fields);
  const required = [
    ...Object.keys(discriminants),
    ...names.filter((name) => !(optionalFields as readonly string[]).includes(name)),
  ];
  return {
    type: 'object',
    properties: {
      ...Object.fromEntries(Object.entries(discriminants).map(([k, v]) => [k, { const: v }])),
      ...fields,
    },
    required,
    additionalProperties: false,
  };
}

const queryFields: { readonly [K in keyof Queries]-?: JsonSchema } = {
  flowState: flowStates,
  localComposingState: composingStates,
  mcuState: mcuStates,
};

/** The fields of a trace step, each named once (the compiler checks them against TraceStep). */
const stepFields: { readonly [K in keyof TraceStep]-?: JsonSchema } = {
  stimulus: { $ref: '#/$defs/stimulus' },
  at: { type: 'number', minimum: 0, description: 'Virtual time when the stimulus was applied.' },
  observed: {
    type: 'array',
    description: 'The outputs the implementation reported during the step, in order.',
    items: {
      type: 'object',
      properties: {
        output: { $ref: '#/$defs/output' },
        at: {
          type: 'number',
          minimum: 0,
          description:
            'Virtual time it was reported at; tells outputs of a clock step that came before their instant.',
        },
      },
      required: ['output'],
    },
  },
  queries: { $ref: '#/$defs/queries' },
  verdict: { enum: ['pass', 'fail'] },
  transitions: {
    type: 'array',
    items: string,
    description: 'IDs of the model transitions the step took.',
  },
  branch: { type: 'array', items: string, description: 'How the model resolved a choice.' },
  advisories: {
    type: 'array',
    description:
      'Should-rules the implementation departed from in this step where the model allows it; failures only under --strict.',
    items: {
      type: 'object',
      properties: { requirement: string, transition: string },
      required: ['requirement', 'transition'],
    },
  },
  failure: {
    type: 'object',
    description: 'Why the step failed: message, requirement IDs, expected and observed.',
    properties: {
      message: string,
      requirements: { type: 'array', items: string },
      after: {
        type: 'integer',
        minimum: 1,
        description:
          'On a failure after an earlier one in the same case: the number of the first failing step.',
      },
    },
    required: ['message', 'requirements'],
  },
  continuation: {
    type: 'array',
    items: string,
    description:
      'On a failing step the case went on from: the model events to the state consistent with what was observed (empty: the step had no effect).',
  },
  settling: {
    const: true,
    description:
      'Added by a real-time run: the time in which the outputs of the step before were awaited.',
  },
};

/** The fields of a trace, each named once (the compiler checks them against Trace). */
const traceFields: { readonly [K in keyof Trace]-?: JsonSchema } = {
  format: { const: TRACE_FORMAT },
  name: string,
  origin: { enum: ['path', 'property', 'recorded', 'replay'] },
  machine: { enum: ['imFlow', 'mcuSession'] },
  profile: {
    description:
      'A built-in profile by name, or a profile object (sections left out come from the profile named in "extends").',
    oneOf: [{ enum: builtInProfiles.map((p) => p.name) }, { type: 'object' }],
  },
  adapter: { ...string, description: 'The name of the adapter that recorded the trace.' },
  realTime: {
    type: 'object',
    description: `Recorded in real time (check --clock real): outputs up to ${EARLY_TOLERANCE_MS} ms before their instant were on time.`,
    properties: { jitterMs: { type: 'number', minimum: 1 } },
    required: ['jitterMs'],
  },
  onTheWire: {
    const: true,
    description: 'Recorded on the wire (check --wire): the kit observed the wire outputs itself.',
  },
  adapterModule: {
    ...string,
    description:
      'The adapter module the run loaded, relative to the directory it ran in; imflow replay loads it when no --adapter is given.',
  },
  steps: { type: 'array', items: { $ref: '#/$defs/step' } },
  verdict: { enum: ['pass', 'fail', 'inconclusive'] },
  setupFailure: string,
  reason: string,
  replay: { ...string, description: 'The shell command that reproduces the case.' },
  declarations: {
    type: 'object',
    description:
      'What the adapter declared it cannot observe (unobservable), cannot be driven with (unsupported) and which state queries it answers (queries).',
    properties: {
      unobservable: { type: 'array', items: { type: 'object' } },
      unsupported: { type: 'array', items: { type: 'object' } },
      queries: { type: 'array', items: string },
    },
  },
  notes: {
    type: 'array',
    items: string,
    description:
      'What the adapter did outside any step (outputs after dispose, a failing dispose, unhandled errors); notes never change the verdict.',
  },
};

export const traceSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'imflow trace',
  description:
    'One test case as imflow records it: the stimuli applied, the outputs and states observed after each, and what the kit judged. A trace recorded from a real system needs only format, machine, profile and steps with stimulus and observed (and queries where the system reports its states); imflow verify-trace judges it offline.',
  type: 'object',
  properties: traceFields,
  required: ['format', 'machine', 'profile', 'steps'],
  $defs: {
    step: {
      type: 'object',
      properties: stepFields,
      required: ['stimulus', 'observed'],
    },
    stimulus: {
      oneOf: Object.entries(stimulusFields).map(([type, fields]) => variant({ type }, fields)),
    },
    output: {
      oneOf: [
        ...Object.entries(eventFields).map(([name, fields]) =>
          variant({ channel: 'event', name }, fields),
        ),
        ...Object.entries(wireFields).map(([kind, fields]) =>
          variant({ channel: 'wire', kind }, fields),
        ),
        {
          type: 'object',
          properties: {
            channel: { const: 'error' },
            operation: { enum: Object.keys(stimulusFields) },
            kind: errorKinds,
          },
          required: ['channel', 'operation', 'kind'],
          additionalProperties: false,
        },
      ],
    },
    queries: {
      type: 'object',
      description:
        'The states the implementation reported after the step; omit what it cannot tell.',
      properties: queryFields,
      additionalProperties: false,
    },
  },
};

/** The schema file's text, as published. */
export function traceSchemaText(): string {
  return `${JSON.stringify(traceSchema, null, 2)}\n`;
}

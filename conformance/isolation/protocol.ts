/**
 * The adapter protocol: how the kit drives an implementation that runs in a process of its own,
 * in any language. JSON-RPC 2.0, one message per line (UTF-8, `\n`-terminated), over the
 * implementation's standard input (kit to implementation) and standard output (back).
 *
 * This file is the one source of the protocol: its TypeScript types and the JSON Schema of every
 * message. `npm run docs` writes the schemas to `docs/protocol/`, and a test keeps them fresh.
 * The guide for implementers is `docs/protocol.md`.
 */
import type { Output, Profile, Queries, Stimulus } from '../../machines/index.ts';
import type { Declarations, WireContext } from '../adapter.ts';

/** Sent in `initialize`; an implementation refuses a version it does not speak. */
export const PROTOCOL_VERSION = 'imflow-adapter/1';

/** The longest line either side may send, in bytes; a longer one is a protocol violation. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** JSON-RPC error codes the kit understands in a response. */
export const ERROR_CODES = {
  /** The implementation failed to do what was asked (an exception); the step fails. */
  implementationError: -32000,
  /** The adapter cannot be loaded or started (answer to `initialize` or `create`). */
  startFailure: -32001,
} as const;

/** Kit to implementation: the requests, their parameters and their results. */
export interface Requests {
  /** The handshake, once per process, before anything else. */
  initialize: {
    params: { protocol: typeof PROTOCOL_VERSION };
    result: {
      name: string;
      profile: string | Record<string, unknown>;
      declarations?: Declarations;
    };
  };
  /** A fresh system under test for one test case, named by `sut` from then on. */
  create: {
    params: {
      sut: number;
      machine: 'imFlow' | 'mcuSession';
      profile: Profile;
      now: number;
      /** Wire mode only: see `SutContext.wire`. */
      wire?: WireContext;
    };
    result: Record<string, never>;
  };
  /** Apply one stimulus, let the system settle, and answer with its state readings. */
  apply: {
    params: { sut: number; now: number; stimulus: Exclude<Stimulus, { type: 'clock.advance' }> };
    result: Settled & { refused?: 'invalid-operation' | 'invalid-argument' };
  };
  /** A timer the implementation set is due: run it, let the system settle, answer with state. */
  fire: { params: { sut: number; now: number; timer: TimerId }; result: Settled };
  /** Resolve once nothing is in flight, and answer with state. */
  settle: { params: { sut: number; now: number }; result: Settled };
  /** Answer with the state readings as they are. */
  query: { params: { sut: number; now: number }; result: Settled };
  /** The test case is over: release the system. No notification may name it afterwards. */
  dispose: { params: { sut: number }; result: Record<string, never> };
}

/** The state readings the implementation exposes, or why it cannot give them. */
export interface Settled {
  state?: Queries;
  stateError?: string;
}

export type TimerId = number | string;

/** Implementation to kit: notifications, sent whenever they happen (no answer is expected). */
export interface Notifications {
  /** Something the implementation did: an event, something on the wire, a refusal. */
  output: { sut: number; output: Output };
  /** Schedule a timer on the kit's clock; it fires with `fire` after `ms` virtual milliseconds. */
  setTimer: { sut: number; timer: TimerId; ms: number };
  /** Cancel a timer that has not fired yet. */
  clearTimer: { sut: number; timer: TimerId };
  /** A problem outside any answer (an unhandled rejection, say): a note on the test case. */
  note: { sut?: number; message: string };
}

export type Method = keyof Requests;
export type NotificationMethod = keyof Notifications;

export interface RequestMessage<M extends Method = Method> {
  jsonrpc: '2.0';
  id: number;
  method: M;
  params: Requests[M]['params'];
}

export interface ResponseMessage {
  jsonrpc: '2.0';
  id: number;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export interface NotificationMessage<N extends NotificationMethod = NotificationMethod> {
  jsonrpc: '2.0';
  method: N;
  params: Notifications[N];
}

type Schema = Record<string, unknown>;

const sut: Schema = { type: 'integer', minimum: 1, description: 'The system under test.' };
const now: Schema = {
  type: 'integer',
  minimum: 0,
  description: "The kit's virtual time in milliseconds since the test case started.",
};
const timer: Schema = {
  type: ['integer', 'string'],
  description: 'Chosen by the implementation; unique among its live timers.',
};
const flowState = { enum: ['idle', 'active', 'terminated'] };
const composingState = { enum: ['idle', 'composing'] };
const mcuState = { enum: ['idle', 'active', 'retrying', 'terminated'] };
const messageIndex = { type: 'integer', minimum: 0 };
const status = { enum: ['success', 'failure'] };
const code = { type: 'integer' };

function object(properties: Record<string, Schema>, required: string[] = [], extra = false) {
  return { type: 'object', properties, required, additionalProperties: extra };
}

const templateSchema = object({
  consumptionMode: { enum: ['consumed-locally', 'proxied-to-remote-entity'] },
  composingTimeoutMs: { type: 'number' },
  supportedFormats: { type: 'array', items: { type: 'string' } },
});

/** One variant per output of the alphabet: `channel` with `name` or `kind`, and its fields. */
const outputVariants: Schema[] = [
  ['event', 'name', 'flowConfigurationRequested', {}],
  ['event', 'name', 'flowStateChanged', { state: flowState }],
  [
    'event',
    'name',
    'messageReceived',
    { body: { type: 'string' }, contentType: { type: 'string' } },
  ],
  ['event', 'name', 'deliveryNotificationReceived', { message: messageIndex, status }, ['code']],
  ['event', 'name', 'remoteComposingStateChanged', { state: composingState }],
  ['event', 'name', 'mcuStateChanged', { state: mcuState }],
  ['event', 'name', 'joinCompleted', {}],
  ['wire', 'kind', 'message', { body: { type: 'string' }, contentType: { type: 'string' } }],
  ['wire', 'kind', 'composing', { state: { enum: ['typing', 'idle'] } }],
  ['wire', 'kind', 'response', { message: messageIndex, code }],
  ['wire', 'kind', 'deliveryNotification', { message: messageIndex, status }, ['code']],
  ['wire', 'kind', 'bye', {}],
  ['wire', 'kind', 'mcuCallTerminated', {}],
].map(([channel, key, value, fields, optional = []]) => {
  const required = Object.keys(fields as Schema);
  const properties: Record<string, Schema> = {
    channel: { const: channel },
    [key as string]: { const: value },
    ...(fields as Record<string, Schema>),
  };
  for (const name of optional as string[]) properties[name] = code;
  return {
    if: object(
      { channel: { const: channel }, [key as string]: { const: value } },
      ['channel', key as string],
      true,
    ),
    // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword here.
    then: object(properties, ['channel', key as string, ...required]),
  };
});

const outputSchema: Schema = {
  description: 'An output of the model alphabet (see the adapter guide, "Outputs").',
  type: 'object',
  required: ['channel'],
  properties: {
    channel: { enum: ['event', 'wire', 'error'] },
    name: {
      enum: outputVariants
        .map((v) => (v.then as { properties: { name?: { const: string } } }).properties.name?.const)
        .filter(Boolean),
    },
    kind: { type: 'string' },
  },
  allOf: [
    {
      if: object({ channel: { const: 'event' } }, ['channel'], true),
      // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword here.
      then: { required: ['name'] },
    },
    {
      if: object({ channel: { const: 'wire' } }, ['channel'], true),
      // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword here.
      then: {
        required: ['kind'],
        properties: {
          kind: {
            enum: outputVariants
              .map(
                (v) =>
                  (v.then as { properties: { kind?: { const: string } } }).properties.kind?.const,
              )
              .filter(Boolean),
          },
        },
      },
    },
    {
      if: object({ channel: { const: 'error' } }, ['channel'], true),
      // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword here.
      then: object(
        {
          channel: { const: 'error' },
          operation: { type: 'string', pattern: '^(app|remote|conf|server)\\.' },
          kind: { enum: ['invalid-operation', 'invalid-argument'] },
        },
        ['channel', 'operation', 'kind'],
      ),
    },
    ...outputVariants,
  ],
};

const stimulusSchema: Schema = {
  description:
    'A stimulus of the model alphabet, never clock.advance (the kit moves time itself; see the adapter guide, "Stimuli").',
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', pattern: '^(app|remote|conf|server)\\.' },
    template: { anyOf: [{ type: 'null' }, templateSchema] },
    body: { type: 'string' },
    contentType: { type: 'string' },
    message: messageIndex,
    code,
    status,
    imMcu: { type: 'boolean' },
    mcuActive: { type: 'boolean' },
  },
  additionalProperties: false,
};

const queriesSchema: Schema = object({
  flowState,
  localComposingState: composingState,
  mcuState,
});

const settledSchema = (extra: Record<string, Schema> = {}): Schema => ({
  ...object({
    state: queriesSchema,
    stateError: { type: 'string', maxLength: 2000 },
    ...extra,
  }),
  description:
    'State readings after the system settled: "state" with the queries it answers, or "stateError" saying why it cannot.',
});

const declarationsSchema: Schema = object({
  unobservable: {
    type: 'array',
    items: object(
      {
        channel: { enum: ['event', 'wire', 'error'] },
        kind: { type: 'string' },
        name: { type: 'string' },
        operation: { type: 'string' },
      },
      ['channel'],
    ),
  },
  unsupported: {
    type: 'array',
    items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
  },
  queries: {
    type: 'array',
    items: { enum: ['flowState', 'localComposingState', 'mcuState'] },
    uniqueItems: true,
  },
});

const profileSchema: Schema = {
  description: 'A validated profile, every field present (see machines/profile.ts).',
  type: 'object',
  required: ['name', 'capabilities', 'timing', 'options'],
};

const empty: Schema = { type: 'object', additionalProperties: false };

/** The JSON Schema of the parameters and the result of each request. */
export const requestSchemas: Record<Method, { params: Schema; result: Schema }> = {
  initialize: {
    params: object({ protocol: { const: PROTOCOL_VERSION } }, ['protocol']),
    result: object(
      {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        profile: {
          anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }],
          description: 'A built-in profile name, or a profile object (see "Declare a profile").',
        },
        declarations: declarationsSchema,
      },
      ['name', 'profile'],
    ),
  },
  create: {
    params: object(
      {
        sut,
        machine: { enum: ['imFlow', 'mcuSession'] },
        profile: profileSchema,
        now,
        wire: object(
          {
            endpoint: {
              type: 'string',
              pattern: '^sips?:',
              description: 'The URI the implementation listens on.',
            },
            remote: {
              type: 'string',
              pattern: '^sips?:',
              description: "The kit's own URI, which calls the endpoint.",
            },
          },
          ['endpoint', 'remote'],
        ),
      },
      ['sut', 'machine', 'profile', 'now'],
    ),
    result: empty,
  },
  apply: {
    params: object({ sut, now, stimulus: stimulusSchema }, ['sut', 'now', 'stimulus']),
    result: settledSchema({ refused: { enum: ['invalid-operation', 'invalid-argument'] } }),
  },
  fire: { params: object({ sut, now, timer }, ['sut', 'now', 'timer']), result: settledSchema() },
  settle: { params: object({ sut, now }, ['sut', 'now']), result: settledSchema() },
  query: { params: object({ sut, now }, ['sut', 'now']), result: settledSchema() },
  dispose: { params: object({ sut }, ['sut']), result: empty },
};

/** The JSON Schema of the parameters of each notification. */
export const notificationSchemas: Record<NotificationMethod, Schema> = {
  output: object({ sut, output: outputSchema }, ['sut', 'output']),
  setTimer: object(
    {
      sut,
      timer,
      ms: { type: 'number', minimum: 0, description: 'Virtual milliseconds from now.' },
    },
    ['sut', 'timer', 'ms'],
  ),
  clearTimer: object({ sut, timer }, ['sut', 'timer']),
  note: object({ sut, message: { type: 'string', maxLength: 2000 } }, ['message']),
};

const SCHEMA_DRAFT = 'https://json-schema.org/draft/2020-12/schema';
const SCHEMA_BASE = 'https://imflow.invalid/protocol/';

/** The envelope of every message the implementation sends: a response or a notification. */
export const envelopeSchema: Schema = {
  oneOf: [
    {
      title: 'response',
      type: 'object',
      required: ['jsonrpc', 'id'],
      properties: {
        jsonrpc: { const: '2.0' },
        id: { type: 'integer' },
        result: {},
        error: object(
          {
            code: { type: 'integer' },
            message: { type: 'string', maxLength: 2000 },
            data: {},
          },
          ['code', 'message'],
        ),
      },
      additionalProperties: false,
      oneOf: [{ required: ['result'] }, { required: ['error'] }],
    },
    {
      title: 'notification',
      type: 'object',
      required: ['jsonrpc', 'method', 'params'],
      properties: {
        jsonrpc: { const: '2.0' },
        method: { enum: Object.keys(notificationSchemas) },
        params: { type: 'object' },
      },
      additionalProperties: false,
    },
  ],
};

/**
 * Every published schema file, by name: per request `<method>.request` (its params) and
 * `<method>.result`, per notification `<method>.notification`, and the envelope. Each is a
 * complete JSON Schema (draft 2020-12).
 */
export function protocolSchemaFiles(): Record<string, Schema> {
  const files: Record<string, Schema> = {};
  const file = (name: string, title: string, schema: Schema) => {
    files[name] = {
      $schema: SCHEMA_DRAFT,
      $id: `${SCHEMA_BASE}${name}.schema.json`,
      title,
      ...schema,
    };
  };
  file(
    'envelope',
    'Any message from the implementation: a response or a notification',
    envelopeSchema,
  );
  for (const [method, { params, result }] of Object.entries(requestSchemas)) {
    file(`${method}.request`, `params of the "${method}" request (kit to implementation)`, params);
    file(`${method}.result`, `result of the "${method}" request (implementation to kit)`, result);
  }
  for (const [method, params] of Object.entries(notificationSchemas)) {
    file(
      `${method}.notification`,
      `params of the "${method}" notification (implementation to kit)`,
      params,
    );
  }
  return files;
}

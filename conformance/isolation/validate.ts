import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import {
  envelopeSchema,
  type Method,
  type NotificationMethod,
  notificationSchemas,
  requestSchemas,
} from './protocol.ts';

/**
 * Checks what an implementation sends against the published schemas. ajv compiles each schema
 * once into a plain function, so checking a message costs microseconds: the kit validates
 * every message, not a sample.
 */
const ajv = new Ajv2020({ allErrors: false, strict: false, verbose: true });
const envelope = ajv.compile(envelopeSchema);
const results = Object.fromEntries(
  Object.entries(requestSchemas).map(([method, { result }]) => [method, ajv.compile(result)]),
) as Record<Method, ValidateFunction>;
const notifications = Object.fromEntries(
  Object.entries(notificationSchemas).map(([method, params]) => [method, ajv.compile(params)]),
) as Record<NotificationMethod, ValidateFunction>;

const shortJson = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** The most telling error: the deepest one that is not a mere "must match a branch". */
function describeErrors(errors: readonly ErrorObject[] | null | undefined, where: string): string {
  const telling = (errors ?? []).filter(
    (e) => !['if', 'oneOf', 'anyOf', 'allOf'].includes(e.keyword),
  );
  const error = [...(telling.length > 0 ? telling : (errors ?? []))].sort(
    (a, b) => b.instancePath.length - a.instancePath.length,
  )[0];
  if (!error) return `${where} does not match its schema`;
  const path = `${where}${error.instancePath.replaceAll('/', '.')}`;
  const params = error.params as Record<string, unknown>;
  const detail =
    error.keyword === 'enum'
      ? ` (allowed: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}; got ${shortJson(error.data)})`
      : error.keyword === 'const'
        ? ` (${shortJson(params.allowedValue)}; got ${shortJson(error.data)})`
        : error.keyword === 'additionalProperties'
          ? ` ("${String(params.additionalProperty)}")`
          : error.keyword === 'type'
            ? ` (got ${shortJson(error.data)})`
            : '';
  return `${path} ${error.message ?? 'is invalid'}${detail}`;
}

/** Validates the envelope of a parsed message; returns the problem or undefined. */
export function envelopeProblem(message: unknown): string | undefined {
  return envelope(message) ? undefined : describeErrors(envelope.errors, 'message');
}

export function resultProblem(method: Method, result: unknown): string | undefined {
  const check = results[method];
  return check(result) ? undefined : describeErrors(check.errors, `${method} result`);
}

export function notificationProblem(
  method: NotificationMethod,
  params: unknown,
): string | undefined {
  const check = notifications[method];
  return check(params) ? undefined : describeErrors(check.errors, `${method} params`);
}

const output = ajv.compile(
  (notificationSchemas.output as { properties: { output: object } }).properties.output,
);

/** Checks one output of the alphabet, field values included; `where` names it in the message. */
export function outputSchemaProblem(value: unknown, where: string): string | undefined {
  return output(value) ? undefined : describeErrors(output.errors, where);
}

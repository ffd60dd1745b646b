import type { DiagramState, DiagramTransition, MachineDiagram } from './structure.ts';

/**
 * W3C SCXML for a machine, for tools that read state charts (editors, simulators, other code
 * generators).
 *
 * Ids: a state's id is XState's own id for it, the machine id followed by the state's dotted
 * path (`imFlow.active.messaging.proxied`); the machine itself is the `<state>` with the machine
 * id. Dots are allowed in an XML ID (an NCName), the ids are unique because paths are, and a
 * reader can map an id back to the path `imflow model` prints by dropping the first segment.
 *
 * The machine is a `<state>` under `<scxml>` (not `<scxml>` itself) because XState lets the
 * machine carry transitions that apply in every state, and `<scxml>` cannot hold a
 * `<transition>`. So there is one `<state>` more than the machine has states.
 *
 * Transitions keep their declaration order, which is also their priority in SCXML. `cond` is the
 * guard, named guards joined with `&&`; the requirement bookkeeping is in attributes of the
 * `urn:imflow` namespace (`imflow:id`, `imflow:requirements`, ...), which SCXML processors ignore.
 */

export const SCXML_NS = 'http://www.w3.org/2005/07/scxml';
export const IMFLOW_NS = 'urn:imflow';

/** An XML NCName, the form of an XML ID (ASCII subset, which is all the machines use). */
const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function scxmlId(diagram: MachineDiagram, path: string): string {
  const id = path === '' ? diagram.id : `${diagram.id}.${path}`;
  if (!NCNAME.test(id)) throw new Error(`State ${path} has no valid XML ID (got "${id}").`);
  return id;
}

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll('\n', '&#10;');
}

function attributes(entries: readonly (readonly [string, string | undefined])[]): string {
  return entries
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
}

export function renderScxml(diagram: MachineDiagram): string {
  const idOf = (path: string) => scxmlId(diagram, path);
  const bySource = new Map<string, DiagramTransition[]>();
  for (const t of diagram.transitions) {
    bySource.set(t.source, [...(bySource.get(t.source) ?? []), t]);
  }

  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const emit = (depth: number, text: string) => lines.push(`${'  '.repeat(depth)}${text}`);

  const transition = (t: DiagramTransition) =>
    `<transition${attributes([
      ['event', t.event],
      ['cond', t.guards.length > 0 ? t.guards.join(' && ') : undefined],
      ['target', t.targets.length > 0 ? t.targets.map(idOf).join(' ') : undefined],
      ['imflow:id', t.id],
      ['imflow:requirements', t.requirements.join(' ')],
      ['imflow:capability', t.capability],
      ['imflow:spontaneous', t.spontaneous ? 'true' : undefined],
      ['imflow:boundary', t.boundary ? 'true' : undefined],
    ])}/>`;

  const visit = (state: DiagramState, depth: number) => {
    const element =
      state.kind === 'parallel' ? 'parallel' : state.kind === 'final' ? 'final' : 'state';
    const own = bySource.get(state.path) ?? [];
    const open = `<${element}${attributes([
      ['id', idOf(state.path)],
      ['initial', state.initial === undefined ? undefined : idOf(state.initial)],
      ['imflow:description', state.description],
    ])}`;
    if (own.length === 0 && state.children.length === 0) {
      emit(depth, `${open}/>`);
      return;
    }
    emit(depth, `${open}>`);
    for (const t of own) emit(depth + 1, transition(t));
    for (const child of state.children) visit(child, depth + 1);
    emit(depth, `</${element}>`);
  };

  emit(
    0,
    `<scxml${attributes([
      ['xmlns', SCXML_NS],
      ['xmlns:imflow', IMFLOW_NS],
      ['version', '1.0'],
      ['name', diagram.id],
      ['initial', idOf('')],
      ['imflow:title', diagram.title],
      ['imflow:profile', diagram.profile],
      ['imflow:generator', 'npx imflow diagrams'],
    ])}>`,
  );
  visit(diagram.root, 1);
  emit(0, '</scxml>');
  return `${lines.join('\n')}\n`;
}

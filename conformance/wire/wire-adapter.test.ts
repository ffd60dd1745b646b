import { describe, expect, it } from 'vitest';
import { createModels, findBuiltInProfile, type Stimulus } from '../../machines/index.ts';
import type { Adapter, SutContext } from '../adapter.ts';
import { CaseRun } from '../case-run.ts';
import type { WireRemote, WireRemoteOptions } from './sip-remote.ts';
import { onTheWire, transportOf } from './wire-adapter.ts';

const profile = findBuiltInProfile('ucma-guide');
const model = profile && createModels(profile).find((m) => m.id === 'imFlow');

/** A remote party that records what the kit asks of it, and plays the endpoint's answers. */
function fakeRemote(behaviour: { callFails?: string } = {}) {
  const calls: string[] = [];
  let options: WireRemoteOptions | undefined;
  const start = async (given: WireRemoteOptions): Promise<WireRemote> => {
    options = given;
    return {
      uri: 'sip:imflow-remote@127.0.0.2:5999',
      call: async () => {
        calls.push('call');
        if (behaviour.callFails) throw new Error(behaviour.callFails);
      },
      apply: async (stimulus) => {
        calls.push(stimulus.type);
        // The endpoint consumes a message: its 200 is what the kit observes on the wire.
        if (stimulus.type === 'remote.message')
          given.observe({ channel: 'wire', kind: 'response', message: 1, code: 200 }, 0);
      },
      settled: async () => undefined,
      close: async () => {
        calls.push('close');
      },
    };
  };
  return { calls, start, options: () => options };
}

/** An application side that accepts the call, raises the flow's events, and says too much. */
function application(log: string[], contexts: SutContext[]): Adapter {
  return {
    name: 'application side',
    profile: 'ucma-guide',
    create: (context) => {
      contexts.push(context);
      let active = false;
      return {
        apply: (stimulus) => {
          log.push(stimulus.type);
          if (stimulus.type === 'app.establish') {
            active = true;
            context.observe({ channel: 'event', name: 'flowConfigurationRequested' });
            context.observe({ channel: 'event', name: 'flowStateChanged', state: 'active' });
          }
          if (stimulus.type === 'app.setComposing')
            // The wire is the kit's to see: this must not count.
            context.observe({ channel: 'wire', kind: 'composing', state: 'typing' });
        },
        query: () => ({
          flowState: active ? 'active' : 'idle',
          ...(active ? { localComposingState: 'idle' as const } : {}),
        }),
        dispose: () => {
          context.observe({ channel: 'event', name: 'flowStateChanged', state: 'terminated' });
        },
      };
    },
  };
}

async function run(adapter: Adapter, stimuli: Stimulus[]) {
  if (!model) throw new Error('the ucma-guide imFlow model is missing');
  const caseRun = await CaseRun.start({ adapter, model, name: 'wire', origin: 'path' });
  for (const stimulus of stimuli) if (!(await caseRun.step(stimulus))) break;
  await caseRun.close();
  return caseRun.trace();
}

describe('an adapter on the wire', () => {
  it('sends the remote party’s stimuli on the wire and the rest to the application', async () => {
    const remote = fakeRemote();
    const log: string[] = [];
    const contexts: SutContext[] = [];
    const trace = await run(
      onTheWire(application(log, contexts), {
        endpoint: 'sip:sut@127.0.0.1:5070',
        startRemote: remote.start,
      }),
      [
        { type: 'app.establish', template: null },
        { type: 'remote.message', body: 'hi', contentType: 'text/plain' },
      ],
    );
    expect(remote.calls).toEqual(['call', 'remote.message', 'close']);
    expect(log).toEqual(['app.establish']);
    expect(contexts[0]?.wire).toEqual({
      endpoint: 'sip:sut@127.0.0.1:5070',
      remote: 'sip:imflow-remote@127.0.0.2:5999',
    });
    expect(remote.options()?.transport).toBe('udp');
    expect(trace.onTheWire).toBe(true);
    // The message's event is missing (the application raised none): the step fails on it.
    expect(trace.steps[1]?.observed.map((o) => o.output)).toEqual([
      { channel: 'wire', kind: 'response', message: 1, code: 200 },
    ]);
    // Ending the case is no output of it, and leaves no note.
    expect(trace.notes ?? []).toEqual([]);
  });

  it('leaves out a wire output the adapter reports, with a note', async () => {
    const trace = await run(
      onTheWire(application([], []), {
        endpoint: 'sip:sut@127.0.0.1:5070;transport=tcp',
        startRemote: fakeRemote().start,
      }),
      [{ type: 'app.establish', template: null }, { type: 'app.setComposing' }],
    );
    expect(trace.steps[1]?.observed).toEqual([]);
    expect(trace.notes?.join(' ')).toMatch(/reported a wire output \(composing\).*left out/);
  });

  it('fails the step when the call cannot be set up, with the reason', async () => {
    const trace = await run(
      onTheWire(application([], []), {
        endpoint: 'sip:sut@127.0.0.1:5070',
        startRemote: fakeRemote({ callFails: 'the endpoint answered 486 Busy Here' }).start,
      }),
      [{ type: 'app.establish', template: null }],
    );
    expect(trace.verdict).toBe('fail');
    expect(trace.steps[0]?.failure?.message).toMatch(
      /could not be set up on the wire: the endpoint answered 486 Busy Here/,
    );
  });

  it('fails the step in which the wire breaks a rule only it shows, naming the rule', async () => {
    const remote = fakeRemote();
    const adapter = onTheWire(application([], []), {
      endpoint: 'sip:sut@127.0.0.1:5070',
      startRemote: async (options) => {
        const inner = await remote.start(options);
        return {
          ...inner,
          uri: inner.uri,
          apply: async (stimulus) => {
            await inner.apply(stimulus);
            options.breach?.({ requirement: 'LC-14', message: 'composing in a MESSAGE' });
          },
        };
      },
    });
    const trace = await run(adapter, [
      { type: 'app.establish', template: null },
      { type: 'remote.typing' },
    ]);
    const failing = trace.steps.find((step) => step.verdict === 'fail');
    expect(failing?.stimulus.type).toBe('remote.typing');
    expect(failing?.failure?.requirements).toEqual(['LC-14']);
    expect(failing?.failure?.message).toBe('composing in a MESSAGE');
  });

  it('reads the transport from the endpoint URI', () => {
    expect(transportOf('sip:a@127.0.0.1:5060')).toBe('udp');
    expect(transportOf('sip:a@127.0.0.1:5060;transport=TCP')).toBe('tcp');
  });
});

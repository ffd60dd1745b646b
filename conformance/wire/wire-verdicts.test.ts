import { describe, expect, it } from 'vitest';
import referenceAdapter from '../../adapters/reference.ts';
import { findBuiltInProfile, type WireOutput } from '../../machines/index.ts';
import type { Adapter, SystemUnderTest } from '../adapter.ts';
import { runSuite } from '../suite.ts';
import type { WireRemote, WireRemoteOptions } from './sip-remote.ts';
import { onTheWire } from './wire-adapter.ts';

/**
 * The in-memory reference on a stand-in for the wire, in virtual time: what it puts on its
 * network comes to the kit as the wire binding's outputs, and the remote party's stimuli go to
 * its simulated remote. `carriedBy` says which SIP method each composing notification came in.
 */
function referenceOnAStandInWire(carriedBy: 'INFO' | 'MESSAGE'): Adapter {
  let system: SystemUnderTest | undefined;
  let toWire: ((output: WireOutput) => void) | undefined;
  const application: Adapter = {
    ...referenceAdapter,
    create: async (context) => {
      system = await referenceAdapter.create({
        ...context,
        observe: (output) =>
          output.channel === 'wire' ? toWire?.(output) : context.observe(output),
      });
      return system;
    },
  };
  const startRemote = async (options: WireRemoteOptions): Promise<WireRemote> => {
    toWire = (output) => {
      if (output.kind === 'composing' && carriedBy !== 'INFO')
        options.breach?.({ requirement: 'LC-14', message: `composing in a ${carriedBy}` });
      options.observe(output, 0);
    };
    return {
      uri: 'sip:imflow-remote@127.0.0.2:5999',
      call: async () => undefined,
      apply: async (stimulus) => system?.apply(stimulus),
      settled: async () => undefined,
      close: async () => undefined,
    };
  };
  return onTheWire(application, { endpoint: 'sip:sut@127.0.0.1:5070', startRemote });
}

const profile = findBuiltInProfile('ucma-guide');

async function verdictOf(requirement: string, adapter: Adapter) {
  if (!profile) throw new Error('the ucma-guide profile is missing');
  const result = await runSuite({
    adapter,
    profiles: [profile],
    seed: 1,
    runs: 0,
    only: 'local-composing',
  });
  return result.profiles[0]?.requirements.find((r) => r.requirement.id === requirement);
}

describe('a rule only the wire shows (LC-14, composing notifications travel as SIP INFO)', () => {
  it('stays untestable through an adapter', async () => {
    expect((await verdictOf('LC-14', referenceAdapter))?.verdict).toBe('untestable');
  });

  it('passes on the wire when every composing notification came in an INFO', async () => {
    const verdict = await verdictOf('LC-14', referenceOnAStandInWire('INFO'));
    expect(verdict?.verdict).toBe('pass');
    expect(verdict?.tests.length).toBeGreaterThan(0);
  });

  it('fails on the wire when one came in a MESSAGE', async () => {
    const verdict = await verdictOf('LC-14', referenceOnAStandInWire('MESSAGE'));
    expect(verdict?.verdict).toBe('fail');
  });
});

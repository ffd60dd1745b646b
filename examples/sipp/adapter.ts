/**
 * The application-side adapter of a SIPp endpoint, for the kit's wire mode:
 *
 *     imflow check --clock real --wire sip --endpoint sip:sipp@127.0.0.1:5070 \
 *       --adapter examples/sipp/adapter.ts
 *
 * The kit plays the remote participant over real SIP and observes the wire itself; SIPp answers
 * with one of the scenarios beside this file. SIPp has no application side: the call is
 * established when SIPp answers the kit's INVITE, and nothing else of an application can be
 * driven, except setting Composing in the typing scenarios, through SIPp's 3PCC twin socket
 * (`twin.ts`). Everything else is declared unsupported; no event and no refusal is observable.
 *
 * Who starts SIPp: the user, before the check, for a scenario without typing; this adapter,
 * when IMFLOW_SIPP_SCENARIO names a scenario (a path, or a file name beside this adapter). It
 * then runs SIPp on the endpoint's address and port for the whole check, and for a scenario
 * with twin commands listens for SIPp's twin connection first (SIPp connects at start).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type {
  Adapter,
  Declarations,
  OutputPattern,
  StimulusPattern,
  SutContext,
  SystemUnderTest,
} from '../../conformance/index.ts';
import {
  conferenceStimulusTypes,
  flowTemplates,
  parseProfile,
  type Queries,
  type Stimulus,
} from '../../machines/index.ts';
import { scenarioPath, startSipp } from './sipp.ts';
import { SippTwin } from './twin.ts';

/** The environment variable naming the scenario this adapter runs SIPp with. */
export const SCENARIO_VARIABLE = 'IMFLOW_SIPP_SCENARIO';

/**
 * What the scenarios do: the readings of the reference page (3 s refresh, an Idle notification
 * at the end of composing), a composing time-out of 4 s with the revert exactly at it (the
 * typing scenarios pause 3000 then 1000 ms), messages consumed locally only, no conference.
 */
export const sippProfile = {
  name: 'sipp-scenarios',
  description:
    'The SIPp scenarios of examples/sipp: ucma-reference readings, Typing refreshed every 3 s, composing time-out 4 s, reverting exactly at it; messages consumed locally; no proxying, no conference.',
  extends: 'ucma-reference',
  capabilities: { proxiedConsumption: false, mcuSession: false },
  timing: { composingTimeoutMs: 4000, revertToleranceMs: 0 },
} as const;

/** How long setting Composing waits for SIPp's announcement of the call, or its return to Idle. */
const TWIN_WAIT_MS = 2000;

/** Operations of an application that a SIPp scenario does not have. */
const noApplication = [
  'app.initialize',
  'app.send',
  'app.setIdle',
  'app.deliverySuccess',
  'app.deliveryFailure',
  'app.terminate',
] as const satisfies readonly Stimulus['type'][];

/** The scenario to run SIPp with, if this adapter runs it, and whether it takes twin commands. */
function scenarioOf(): { path: string; twin: boolean } | undefined {
  const value = process.env[SCENARIO_VARIABLE];
  if (value === undefined || value === '') return undefined;
  const path = isAbsolute(value) || value.includes('/') ? value : scenarioPath(value);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `${SCENARIO_VARIABLE}=${value}: cannot read the scenario ${path} (${(error as Error).message}); name a file of examples/sipp (uas-typing.xml) or give its path.`,
    );
  }
  return { path, twin: /<recvCmd\b/.test(text) };
}

/**
 * The declarations for a run with or without the twin socket. Establishing is SIPp answering
 * the kit's INVITE: only the plain call, once, with SIPp's one fixed configuration. Setting
 * Composing goes over the twin socket, on an established call that is Idle (the scenario takes
 * it only there).
 */
export function sippDeclarations(withTwin: boolean): Declarations {
  const profile = parseProfile(sippProfile);
  const unsupported: StimulusPattern[] = [
    ...noApplication.map((type): StimulusPattern => ({ type })),
    ...conferenceStimulusTypes.map((type): StimulusPattern => ({ type })),
    ...flowTemplates(profile)
      .filter((template) => template !== null)
      .map((template): StimulusPattern => ({ type: 'app.establish', template })),
    { type: 'app.establish', when: { flowState: 'active' } },
    { type: 'app.establish', when: { flowState: 'terminated' } },
    ...(withTwin
      ? ([
          { type: 'app.setComposing', when: { flowState: 'idle' } },
          { type: 'app.setComposing', when: { flowState: 'terminated' } },
          { type: 'app.setComposing', when: { localComposingState: 'composing' } },
        ] satisfies StimulusPattern[])
      : [{ type: 'app.setComposing' } satisfies StimulusPattern]),
  ];
  const unobservable: OutputPattern[] = [{ channel: 'event' }, { channel: 'error' }];
  return { unsupported, unobservable, queries: [] };
}

/** Bound on SIPp's run when this adapter starts it: longer than any check of the scenarios. */
const RUN_DEADLINE_MS = 30 * 60 * 1000;

/** SIPp as this adapter runs it, started once for the whole check at the first test case. */
let running: Promise<SippTwin | undefined> | undefined;

function runSipp(
  scenario: { path: string; twin: boolean },
  endpoint: string,
): Promise<SippTwin | undefined> {
  const match = /^sip:[^@\s]+@(127(?:\.\d{1,3}){3}):(\d{1,5})(;transport=(udp|tcp))?$/i.exec(
    endpoint,
  );
  if (match === null) {
    return Promise.reject(
      new Error(
        `the endpoint ${endpoint} is not sip:USER@127.0.0.1:PORT[;transport=tcp]: SIPp is run on its address and port`,
      ),
    );
  }
  const [, address, port, , transport] = match;
  const start = async () => {
    const twin = scenario.twin ? await SippTwin.listen({ address: address as string }) : undefined;
    await startSipp({
      scenario: scenario.path,
      transport: transport?.toLowerCase() === 'tcp' ? 'tcp' : 'udp',
      address: address as string,
      port: Number(port),
      deadlineMs: RUN_DEADLINE_MS,
      background: true,
      ...(twin === undefined ? {} : { twin: twin.address }),
    });
    await twin?.connected(3000);
    return twin;
  };
  return start();
}

class SippApplicationSide implements SystemUnderTest {
  /** The calls SIPp announced before this test case: none of them is this case's call. */
  private readonly earlier: ReadonlySet<string>;

  constructor(
    private readonly remote: string,
    private readonly twin: SippTwin | undefined,
  ) {
    this.earlier = new Set(twin?.calls.keys());
  }

  async apply(stimulus: Exclude<Stimulus, { type: 'clock.advance' }>): Promise<void> {
    switch (stimulus.type) {
      case 'app.establish':
        // SIPp answers the kit's INVITE by itself: the application side has nothing to do.
        return;
      case 'app.setComposing': {
        const twin = this.twin;
        if (twin === undefined) break;
        const call = await twin.callFrom(this.remote, TWIN_WAIT_MS, this.earlier);
        await twin.setComposing(call, TWIN_WAIT_MS);
        return;
      }
      default:
        break;
    }
    throw new Error(
      `${stimulus.type} reached the SIPp adapter, which declares it unsupported: a SIPp scenario has no application side for it.`,
    );
  }

  query(): Queries {
    return {};
  }
}

const scenario = scenarioOf();

const sippAdapter: Adapter = {
  name: 'SIPp scenario (examples/sipp)',
  profile: sippProfile,
  declarations: sippDeclarations(scenario?.twin ?? false),
  async create(context: SutContext) {
    if (context.wire === undefined) {
      throw new Error(
        'the SIPp adapter runs only in wire mode: imflow check --clock real --wire sip --endpoint sip:sipp@127.0.0.1:PORT --adapter examples/sipp/adapter.ts',
      );
    }
    if (scenario === undefined) return new SippApplicationSide(context.wire.remote, undefined);
    if (running === undefined) {
      running = runSipp(scenario, context.wire.endpoint);
      running.catch(() => {
        running = undefined;
      });
    }
    return new SippApplicationSide(context.wire.remote, await running);
  },
};

export default sippAdapter;

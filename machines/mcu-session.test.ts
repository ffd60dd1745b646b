import { describe, expect, it } from 'vitest';
import type { ConferenceStimulus, McuState } from './alphabet.ts';
import type { ModelSnapshot } from './model.ts';
import { builtInProfiles, guideProfile, type Profile, referencePageProfile } from './profile.ts';
import {
  Driver,
  ids,
  joinCompleted,
  mcuCallTerminated,
  mcuModel,
  mcuStateChanged,
  refused,
  requirementsOf,
  variant,
} from './test-support.ts';

const profiles = builtInProfiles.map((profile) => [profile.name, profile] as const);

/** Every conference stimulus of the alphabet, offered or not. */
const conferenceAlphabet: readonly ConferenceStimulus[] = [
  { type: 'conf.join', imMcu: true },
  { type: 'conf.join', imMcu: false },
  { type: 'conf.leave' },
  { type: 'server.joinCompleted' },
  { type: 'server.mcuActivated' },
  { type: 'server.mcuFailover' },
  { type: 'server.focusReconnecting' },
  { type: 'server.failoverCompleted' },
  { type: 'server.focusReconnected', mcuActive: true },
  { type: 'server.focusReconnected', mcuActive: false },
];

const session = (profile: Profile, ...events: ConferenceStimulus[]): Driver => {
  const driver = new Driver(mcuModel(profile));
  driver.steps(...events);
  return driver;
};

const active = (profile: Profile): Driver =>
  session(
    profile,
    { type: 'conf.join', imMcu: true },
    { type: 'server.joinCompleted' },
    { type: 'server.mcuActivated' },
  );

const state = (driver: Driver): McuState | undefined => driver.queries().mcuState;

describe('MCU session', () => {
  describe.each(profiles)('activation and join (%s)', (_name, profile) => {
    it('MCU-1: Idle until the conference has joined and the MCU is activated, then Active', () => {
      const driver = new Driver(mcuModel(profile));
      expect(state(driver)).toBe('idle');
      // An activation before any join has nothing to activate.
      expect(driver.step({ type: 'server.mcuActivated' }).outputs).toEqual([]);
      expect(state(driver)).toBe('idle');

      const join = driver.step({ type: 'conf.join', imMcu: true });
      expect(join.outputs).toEqual([]);
      expect(ids(join)).toEqual(['join']);
      expect(requirementsOf(join)).toContain('MCU-1');
      expect(state(driver)).toBe('idle');

      const activation = driver.step({ type: 'server.mcuActivated' });
      expect(activation.outputs).toEqual([mcuStateChanged('active')]);
      expect(ids(activation)).toEqual(['activate']);
      expect(requirementsOf(activation)).toEqual(
        expect.arrayContaining(['MCU-1', 'MCU-2', 'MCU-10']),
      );
      expect(state(driver)).toBe('active');
    });

    it('MCU-2: Active before the BeginJoin callback conforms', () => {
      const driver = session(profile, { type: 'conf.join', imMcu: true });
      expect(driver.step({ type: 'server.mcuActivated' }).outputs).toEqual([
        mcuStateChanged('active'),
      ]);
      const callback = driver.step({ type: 'server.joinCompleted' });
      expect(callback.outputs).toEqual([joinCompleted]);
      expect(ids(callback)).toEqual(['joinCallback']);
      expect(requirementsOf(callback)).toEqual(['MCU-2']);
      expect(state(driver)).toBe('active');
    });

    it('MCU-2: Active after the BeginJoin callback conforms', () => {
      const driver = session(profile, { type: 'conf.join', imMcu: true });
      const callback = driver.step({ type: 'server.joinCompleted' });
      expect(callback.outputs).toEqual([joinCompleted]);
      expect(state(driver)).toBe('idle');
      const activation = driver.step({ type: 'server.mcuActivated' });
      expect(activation.outputs).toEqual([mcuStateChanged('active')]);
      expect(requirementsOf(activation)).toContain('MCU-2');
      expect(state(driver)).toBe('active');
    });

    it('MCU-2: both orders end in the same state with the same outputs', () => {
      const before = session(
        profile,
        { type: 'conf.join', imMcu: true },
        { type: 'server.mcuActivated' },
        { type: 'server.joinCompleted' },
      );
      const after = session(
        profile,
        { type: 'conf.join', imMcu: true },
        { type: 'server.joinCompleted' },
        { type: 'server.mcuActivated' },
      );
      expect(state(before)).toBe(state(after));
      const outputsOf = (driver: Driver) => driver.timeline().map(({ output }) => output);
      expect(outputsOf(before)).toEqual(expect.arrayContaining(outputsOf(after)));
      expect(outputsOf(before)).toHaveLength(outputsOf(after).length);
      // The callback comes once only.
      expect(before.step({ type: 'server.joinCompleted' }).outputs).toEqual([]);
    });

    it('MCU-3: joining a conference without an IM MCU ends Idle -> Terminated at the callback', () => {
      const driver = session(profile, { type: 'conf.join', imMcu: false });
      expect(state(driver)).toBe('idle');
      expect(driver.step({ type: 'server.mcuActivated' }).outputs).toEqual([]);
      const callback = driver.step({ type: 'server.joinCompleted' });
      expect(callback.outputs).toEqual([joinCompleted, mcuStateChanged('terminated')]);
      expect(ids(callback)).toEqual(['join.noMcuOfThisType']);
      expect(requirementsOf(callback)).toEqual(expect.arrayContaining(['MCU-3', 'MCU-10']));
      expect(state(driver)).toBe('terminated');
    });
  });

  describe.each(profiles)('failover and reconnection (%s)', (_name, profile) => {
    it('MCU-4: an MCU failover moves Active to Retrying and ends the MCU call', () => {
      const driver = active(profile);
      const failover = driver.step({ type: 'server.mcuFailover' });
      expect(failover.outputs).toEqual(
        expect.arrayContaining([mcuCallTerminated, mcuStateChanged('retrying')]),
      );
      expect(failover.outputs).toHaveLength(2);
      expect(ids(failover)).toEqual(['failover']);
      expect(requirementsOf(failover)).toContain('MCU-4');
      expect(state(driver)).toBe('retrying');
    });

    it('MCU-5: a focus reconnection moves Active to Retrying and keeps the MCU call', () => {
      const driver = active(profile);
      const reconnecting = driver.step({ type: 'server.focusReconnecting' });
      expect(reconnecting.outputs).toEqual([mcuStateChanged('retrying')]);
      expect(reconnecting.outputs).not.toContainEqual(mcuCallTerminated);
      expect(ids(reconnecting)).toEqual(['focusReconnecting']);
      expect(requirementsOf(reconnecting)).toContain('MCU-5');
      expect(state(driver)).toBe('retrying');
    });

    it('MCU-6: Retrying after a failover returns to Active when the failover completes', () => {
      const driver = active(profile);
      driver.step({ type: 'server.mcuFailover' });
      // Either completion may come, whatever started Retrying (OP-6).
      expect(driver.stimuli()).toContainEqual({ type: 'server.focusReconnected', mcuActive: true });
      const done = driver.step({ type: 'server.failoverCompleted' });
      expect(done.outputs).toEqual([mcuStateChanged('active')]);
      expect(ids(done)).toEqual(['failoverCompleted']);
      expect(requirementsOf(done)).toContain('MCU-6');
      expect(state(driver)).toBe('active');
    });

    it('MCU-6: a failover completion ends a focus retry too', () => {
      const driver = active(profile);
      driver.step({ type: 'server.focusReconnecting' });
      expect(driver.stimuli()).toContainEqual({ type: 'server.failoverCompleted' });
      const done = driver.step({ type: 'server.failoverCompleted' });
      expect(done.outputs).toEqual([mcuStateChanged('active')]);
      expect(state(driver)).toBe('active');
    });

    it('MCU-7: a focus reconnection with the MCU active ends a failover retry too', () => {
      const driver = active(profile);
      driver.step({ type: 'server.mcuFailover' });
      const reconnected = driver.step({ type: 'server.focusReconnected', mcuActive: true });
      expect(reconnected.outputs).toEqual([mcuStateChanged('active')]);
      expect(ids(reconnected)).toEqual(['focusReconnected.mcuActive']);
    });

    it('MCU-4: after the join callback the call exists, so a failover has no branch without ending it', () => {
      const driver = active(profile);
      expect(driver.model.alternatives(driver.snapshot, { type: 'server.mcuFailover' })).toEqual(
        [],
      );
      expect(driver.step({ type: 'server.mcuFailover' }).outputs).toContainEqual(mcuCallTerminated);
    });

    it('MCU-4: Active before the join callback, a failover may find no call to end', () => {
      const driver = session(
        profile,
        { type: 'conf.join', imMcu: true },
        { type: 'server.mcuActivated' },
      );
      const failover = { type: 'server.mcuFailover' } as const;
      const [alternative, ...more] = driver.model.alternatives(driver.snapshot, failover);
      expect(more).toEqual([]);
      expect(alternative).toEqual({ ...failover, choice: 'noMcuCall' });
      const preferred = driver.model.step(driver.snapshot, failover);
      expect(preferred.outputs).toContainEqual(mcuCallTerminated);
      const branch = driver.model.step(driver.snapshot, alternative as never);
      expect(branch.outputs).toEqual([mcuStateChanged('retrying')]);
      expect(branch.transitions.map((t) => [t.id, t.deviates])).toEqual([
        ['failover.noCallYet', []],
      ]);
    });

    it('MCU-7: Retrying returns to Active when the focus reconnects with the MCU active', () => {
      const driver = active(profile);
      driver.step({ type: 'server.focusReconnecting' });
      const reconnected = driver.step({ type: 'server.focusReconnected', mcuActive: true });
      expect(reconnected.outputs).toEqual([mcuStateChanged('active')]);
      expect(ids(reconnected)).toEqual(['focusReconnected.mcuActive']);
      expect(requirementsOf(reconnected)).toContain('MCU-7');
      expect(state(driver)).toBe('active');
    });
  });

  describe('MCU-8: focus reconnected while the MCU is not active (C7)', () => {
    const readings: (readonly [string, Profile])[] = [
      ['ucma-guide', guideProfile],
      ['ucma-reference', referencePageProfile],
      [
        'ucma-guide, stay-retrying',
        variant(guideProfile, { options: { focusReconnectWithoutMcu: 'stay-retrying' } }),
      ],
      [
        'ucma-reference, back-to-idle',
        variant(referencePageProfile, { options: { focusReconnectWithoutMcu: 'back-to-idle' } }),
      ],
    ];

    it.each(readings)(
      'MCU-8: never Active; the profile decides between Idle and Retrying (%s)',
      (_label, profile) => {
        const backToIdle = profile.options.focusReconnectWithoutMcu === 'back-to-idle';
        const driver = active(profile);
        driver.step({ type: 'server.focusReconnecting' });
        const reconnected = driver.step({ type: 'server.focusReconnected', mcuActive: false });
        expect(reconnected.outputs).not.toContainEqual(mcuStateChanged('active'));
        expect(reconnected.outputs).toEqual(backToIdle ? [mcuStateChanged('idle')] : []);
        expect(ids(reconnected)).toEqual([
          backToIdle ? 'focusReconnected.backToIdle' : 'focusReconnected.stayRetrying',
        ]);
        expect(requirementsOf(reconnected)).toContain('MCU-8');
        expect(state(driver)).toBe(backToIdle ? 'idle' : 'retrying');

        // Either way the MCU's activation brings the session back to Active.
        const activation = driver.step({ type: 'server.mcuActivated' });
        expect(activation.outputs).toEqual([mcuStateChanged('active')]);
        expect(ids(activation)).toEqual([backToIdle ? 'activate' : 'retrying.activate']);
        expect(state(driver)).toBe('active');
      },
    );
  });

  describe.each(profiles)('allowed branches of leaving and joining (%s)', (_name, profile) => {
    it('MCU-9: leaving an Active session may report the end of the MCU call, without advisory', () => {
      const driver = active(profile);
      const leave = { type: 'conf.leave' } as const;
      expect(driver.model.alternatives(driver.snapshot, leave)).toEqual([
        { ...leave, choice: 'mcuCallEnded' },
      ]);
      const branch = driver.model.step(driver.snapshot, { ...leave, choice: 'mcuCallEnded' });
      expect(branch.outputs).toEqual([mcuCallTerminated, mcuStateChanged('terminated')]);
      expect(branch.transitions.flatMap((t) => t.deviates ?? [])).toEqual([]);
    });

    it('MCU-9: after a failover ended the call, leaving has no branch reporting its end', () => {
      const driver = active(profile);
      driver.step({ type: 'server.mcuFailover' });
      expect(driver.model.alternatives(driver.snapshot, { type: 'conf.leave' })).toEqual([]);
    });

    it('MCU-3: without the IM MCU, Terminated may come at the join, and the callback still follows', () => {
      const driver = new Driver(mcuModel(profile));
      const join = { type: 'conf.join', imMcu: false } as const;
      expect(driver.model.alternatives(driver.snapshot, join)).toEqual([
        { ...join, choice: 'terminatedAtJoin' },
      ]);
      expect(
        driver.model.alternatives(driver.snapshot, { type: 'conf.join', imMcu: true }),
      ).toEqual([]);
      const atJoin = driver.step({ ...join, choice: 'terminatedAtJoin' });
      expect(atJoin.outputs).toEqual([mcuStateChanged('terminated')]);
      expect(state(driver)).toBe('terminated');
      expect(driver.stimuli()).toContainEqual({ type: 'server.joinCompleted' });
      expect(driver.step({ type: 'server.joinCompleted' }).outputs).toEqual([joinCompleted]);
      expect(driver.stimuli()).not.toContainEqual({ type: 'server.joinCompleted' });
    });
  });

  describe.each(profiles)('leaving (%s)', (_name, profile) => {
    const reach = {
      idle: () => session(profile, { type: 'conf.join', imMcu: true }),
      active: () => active(profile),
      retrying: () => {
        const driver = active(profile);
        driver.step({ type: 'server.mcuFailover' });
        return driver;
      },
    } as const;

    it.each(['idle', 'active', 'retrying'] as const)(
      'MCU-9: leaving the conference from %s terminates the session',
      (from) => {
        const driver = reach[from]();
        expect(state(driver)).toBe(from);
        const leave = driver.step({ type: 'conf.leave' });
        expect(leave.outputs).toEqual([mcuStateChanged('terminated')]);
        expect(ids(leave)).toEqual([`${from}.leave`]);
        expect(requirementsOf(leave)).toEqual(expect.arrayContaining(['MCU-9', 'MCU-10']));
        expect(state(driver)).toBe('terminated');
      },
    );

    it('MCU-9: leaving before joining changes nothing', () => {
      const driver = new Driver(mcuModel(profile));
      expect(driver.step({ type: 'conf.leave' }).outputs).toEqual([]);
      expect(state(driver)).toBe('idle');
    });

    it('MCU-9: a terminated session refuses to join again and stays terminated', () => {
      const driver = active(profile);
      driver.step({ type: 'conf.leave' });
      for (const imMcu of [true, false]) {
        const join = driver.step({ type: 'conf.join', imMcu });
        expect(join.outputs).toEqual([refused('conf.join', 'invalid-operation')]);
        expect(ids(join)).toEqual(['terminated.join.rejected']);
        expect(requirementsOf(join)).toEqual(['MCU-9']);
      }
      expect(state(driver)).toBe('terminated');
    });

    it('MCU-9: Terminated is final: no stimulus of the alphabet leaves it or changes the state', () => {
      for (const entry of [
        () => active(profile),
        () => session(profile, { type: 'conf.join', imMcu: false }),
      ]) {
        const driver = entry();
        if (state(driver) === 'active') driver.step({ type: 'conf.leave' });
        else driver.step({ type: 'server.joinCompleted' });
        expect(state(driver)).toBe('terminated');
        for (const stimulus of conferenceAlphabet) {
          const outcome = driver.step(stimulus);
          expect(state(driver)).toBe('terminated');
          expect(outcome.outputs).not.toContainEqual(
            expect.objectContaining({ name: 'mcuStateChanged' }),
          );
          expect(outcome.outputs).not.toContainEqual(mcuCallTerminated);
        }
      }
    });
  });

  it.each(profiles)(
    'MCU-10: over every reachable state and every conference stimulus, a state change raises exactly one StateChanged with the new state (%s)',
    (_name, profile) => {
      const model = mcuModel(profile);
      const seen = new Set<string>();
      const queue: ModelSnapshot[] = [model.initial()];
      let checked = 0;
      const reached = new Set<McuState>();
      while (queue.length > 0) {
        const snapshot = queue.shift() as ModelSnapshot;
        const key = model.serialize(snapshot);
        if (seen.has(key)) continue;
        seen.add(key);
        const before = model.queries(snapshot).mcuState;
        for (const stimulus of conferenceAlphabet) {
          const result = model.step(snapshot, stimulus);
          const after = model.queries(result.snapshot).mcuState;
          if (after) reached.add(after);
          const changes = result.outputs.filter(
            (output) => output.channel === 'event' && output.name === 'mcuStateChanged',
          );
          expect(changes, `${before} --${JSON.stringify(stimulus)}--> ${after}`).toEqual(
            before === after ? [] : [mcuStateChanged(after as McuState)],
          );
          if (before !== after) {
            expect(result.transitions.flatMap((meta) => meta.requirements)).toContain('MCU-10');
          }
          checked++;
          queue.push(result.snapshot);
        }
      }
      expect([...reached].sort()).toEqual(['active', 'idle', 'retrying', 'terminated']);
      expect(checked).toBe(seen.size * conferenceAlphabet.length);
    },
  );
});

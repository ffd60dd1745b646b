import { describe, expect, it } from 'vitest';
import { PLAIN_TEXT, type Stimulus } from './alphabet.ts';
import {
  boundaryProbed,
  clockSteps,
  type Exploration,
  explorationEvents,
  FAILURE_CODES,
  flowTemplates,
  INVALID_COMPOSING_TIMEOUTS,
} from './model.ts';
import {
  builtInProfiles,
  guideProfile,
  MAX_COMPOSING_TIMEOUT_MS,
  referencePageProfile,
} from './profile.ts';
import { composingFlow, Driver, establishedFlow, flowModel } from './test-support.ts';

const codesOffered = (stimuli: readonly Stimulus[], message: number) =>
  stimuli
    .filter((s) => s.type === 'app.deliveryFailure' && s.message === message)
    .map((s) => (s.type === 'app.deliveryFailure' ? s.code : Number.NaN))
    .sort((a, b) => a - b);

describe('test data derived from the rules', () => {
  it('DN-2, DN-9: a message owed its notification is tried with codes on both sides of 400 and 699', () => {
    const flow = establishedFlow(guideProfile, { consumptionMode: 'proxied-to-remote-entity' });
    flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT });
    const codes = codesOffered(flow.stimuli(), 1);
    for (const code of [399, 400, 699, 700, 200, 0, -1]) expect(codes).toContain(code);
    expect(new Set(codes)).toEqual(new Set(FAILURE_CODES));
  });

  it('CONF-7: templates try the inner and outer side of both ends of the time-out range', () => {
    const timeouts = flowTemplates(guideProfile).map((t) => t?.composingTimeoutMs);
    expect(timeouts).toEqual(expect.arrayContaining([1, MAX_COMPOSING_TIMEOUT_MS]));
    expect(timeouts).toEqual(expect.arrayContaining([...INVALID_COMPOSING_TIMEOUTS]));
    expect(INVALID_COMPOSING_TIMEOUTS).toEqual(
      expect.arrayContaining([0, MAX_COMPOSING_TIMEOUT_MS + 1, 1.5]),
    );
    expect(INVALID_COMPOSING_TIMEOUTS.some((timeout) => timeout < 0)).toBe(true);
  });

  it.each(INVALID_COMPOSING_TIMEOUTS)('CONF-7: a template time-out of %d is refused', (timeout) => {
    const flow = new Driver(flowModel(guideProfile));
    const outcome = flow.step({ type: 'app.establish', template: { composingTimeoutMs: timeout } });
    expect(outcome.outputs).toContainEqual({
      channel: 'error',
      operation: 'app.establish',
      kind: 'invalid-argument',
    });
  });

  it('CONF-8: one template lists several supported formats, and messages come in each of them', () => {
    const several = flowTemplates(guideProfile).find(
      (template) => (template?.supportedFormats?.length ?? 0) > 1,
    );
    expect(several?.supportedFormats).toContain(PLAIN_TEXT);
    const flow = establishedFlow(guideProfile, several ?? null);
    const formats = flow
      .stimuli()
      .flatMap((s) => (s.type === 'remote.message' ? [s.contentType] : []));
    for (const format of several?.supportedFormats ?? []) expect(formats).toContain(format);
    const second = (several?.supportedFormats ?? [])[1] as string;
    expect(
      flow.step({ type: 'remote.message', body: 'b', contentType: second }).outputs,
    ).toContainEqual({ channel: 'event', name: 'messageReceived', body: 'b', contentType: second });
  });

  it('DN-6: incoming delivery notifications refer to every message sent so far', () => {
    const flow = establishedFlow(guideProfile);
    flow.step({ type: 'app.send', body: 'one', contentType: PLAIN_TEXT });
    flow.step({ type: 'app.send', body: 'two', contentType: PLAIN_TEXT });
    const messages = flow
      .stimuli()
      .flatMap((s) => (s.type === 'remote.deliveryNotification' ? [s.message] : []));
    expect(new Set(messages)).toEqual(new Set([1, 2]));
  });

  it.each(builtInProfiles.map((profile) => [profile.name, profile] as const))(
    'the traversal does not start remote composing while local composing times something (%s)',
    (_name, profile) => {
      const model = flowModel(profile);
      const flow = establishedFlow(profile);
      flow.step({ type: 'app.setComposing' });
      expect(model.stimuli(flow.snapshot)).toContainEqual({ type: 'remote.typing' });
      expect(explorationEvents(model, flow.snapshot)).not.toContainEqual({ type: 'remote.typing' });
    },
  );
});

describe('the boundary a clock step probes', () => {
  it('LC-2: names the steps to a deadline and to just before it, as the traversal explores them', () => {
    const flow = composingFlow(guideProfile);
    const { model, snapshot } = flow;
    for (const step of clockSteps(model, snapshot)) {
      const probed = boundaryProbed(model, snapshot, step.ms);
      expect(probed).toBe(step.kind === 'part-way' ? undefined : step.kind);
    }
    const deadline = flow.deadline() ?? Number.NaN;
    expect(boundaryProbed(model, snapshot, deadline)).toBe('deadline');
    expect(boundaryProbed(model, snapshot, deadline - 1)).toBe('before-deadline');
    expect(boundaryProbed(model, snapshot, deadline + 1)).toBeUndefined();
    expect(boundaryProbed(model, model.initial(), 1000)).toBeUndefined();
  });
});

describe('a composing time-out many refresh periods long', () => {
  const profile = {
    ...referencePageProfile,
    timing: { ...referencePageProfile.timing, composingTimeoutMs: 29_999 },
  };
  const { refreshPeriodMs, revertToleranceMs } = profile.timing;
  const model = flowModel(profile);
  const clockOnly = (flow: Driver) =>
    explorationEvents(model, flow.snapshot).every((event) => event.type === 'clock.advance');
  const probes = (flow: Driver) =>
    explorationEvents(model, flow.snapshot).some(
      (event) =>
        event.type === 'clock.advance' &&
        event.ms === (model.nextDeadlineMs(flow.snapshot) ?? 0) - 1,
    );

  it('explores the stimuli only near its end, and probes only the first refresh before that', () => {
    const flow = composingFlow(profile);
    const seen: { timeoutInMs: number; clockOnly: boolean; probes: boolean }[] = [];
    for (let deadline = model.nextDeadlineMs(flow.snapshot); deadline !== null; ) {
      const { timeoutInMs } = flow.snapshot.context as { timeoutInMs: number | null };
      if (timeoutInMs === null) break;
      seen.push({ timeoutInMs, clockOnly: clockOnly(flow), probes: probes(flow) });
      flow.step({ type: 'clock.advance', ms: deadline });
      deadline = model.nextDeadlineMs(flow.snapshot);
    }
    const firstCycleEnd = profile.timing.composingTimeoutMs - refreshPeriodMs;
    const nearEnd = refreshPeriodMs + revertToleranceMs + 1;
    for (const { timeoutInMs, clockOnly, probes } of seen) {
      expect(clockOnly, `${timeoutInMs} ms left`).toBe(timeoutInMs > nearEnd);
      expect(probes, `${timeoutInMs} ms left`).toBe(
        timeoutInMs >= firstCycleEnd || timeoutInMs <= nearEnd,
      );
    }
    // Most of the episode lies before the end: that is what keeps the graph from growing with it.
    expect(seen.filter((s) => s.clockOnly).length).toBeGreaterThan(seen.length / 2);
    expect(seen.filter((s) => !s.clockOnly).length).toBeGreaterThan(0);
    // The first refresh is probed a millisecond early, as under a short time-out.
    expect(seen[0]).toMatchObject({ clockOnly: true, probes: true });
  });

  it('offers the deadline itself in the middle cycles, not the probe a millisecond before it', () => {
    const flow = composingFlow(profile);
    while (model.explores(flow.snapshot) !== 'next-deadline') {
      flow.step({ type: 'clock.advance', ms: model.nextDeadlineMs(flow.snapshot) ?? 0 });
    }
    expect(explorationEvents(model, flow.snapshot)).toEqual([
      { type: 'clock.advance', ms: model.nextDeadlineMs(flow.snapshot) },
    ]);
  });

  it('is told apart by the abstract key alone: snapshots of one key are explored alike', () => {
    // Episodes begun at several offsets into a refresh period put the time-out at many
    // distances from the refresh; every snapshot of a key must get the same treatment.
    const treatment = new Map<string, Exploration>();
    for (const offsetMs of [0, 1, 499, 500, 501, 1500, 2999]) {
      const flow = composingFlow(profile);
      if (offsetMs > 0) {
        flow.step({ type: 'clock.advance', ms: offsetMs });
        flow.step({ type: 'app.setComposing' });
      }
      for (let steps = 0; steps < 40 && model.nextDeadlineMs(flow.snapshot) !== null; steps++) {
        const key = model.abstractKey(flow.snapshot);
        const explored = model.explores(flow.snapshot);
        expect(treatment.get(key) ?? explored, key).toBe(explored);
        treatment.set(key, explored);
        const deadline = model.nextDeadlineMs(flow.snapshot) ?? 1;
        flow.step({
          type: 'clock.advance',
          ms: steps % 3 === 1 && deadline > 1 ? deadline - 1 : deadline,
        });
      }
    }
    expect(new Set(treatment.values())).toEqual(
      new Set<Exploration>(['everything', 'clock-steps', 'next-deadline']),
    );
  });
});

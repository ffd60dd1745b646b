import { describe, expect, it } from 'vitest';
import { PLAIN_TEXT, type TemplateSpec } from './alphabet.ts';
import {
  basicProfile,
  builtInProfiles,
  guideProfile,
  MAX_COMPOSING_TIMEOUT_MS,
  type Profile,
} from './profile.ts';
import {
  composingFlow,
  configurationRequested,
  Driver,
  establishedFlow,
  flowModel,
  flowStateChanged,
  ids,
  messageReceived,
  refused,
  requirementsOf,
  response,
  variant,
} from './test-support.ts';

const HTML = 'text/html';

/**
 * The instant (after setComposing at 0) at which the local state first reads Idle, checked to
 * read Composing one millisecond earlier. The state only changes at deadlines, so the search
 * jumps from deadline to deadline.
 */
function revertInstant(profile: Profile, template: TemplateSpec | null): number {
  const flow = composingFlow(profile, template);
  while (flow.queries().localComposingState === 'composing') {
    const deadline = flow.deadline();
    if (deadline === null || deadline <= 0) throw new Error(`composing with deadline ${deadline}`);
    flow.advance(deadline);
  }
  const probe = composingFlow(profile, template);
  probe.advance(flow.nowMs - 1);
  expect(probe.queries().localComposingState).toBe('composing');
  return flow.nowMs;
}

describe('configuration', () => {
  it('CONF-1: establishing copies the template into the flow (mode, formats, time-out)', () => {
    const template: TemplateSpec = {
      consumptionMode: 'proxied-to-remote-entity',
      supportedFormats: [HTML],
      composingTimeoutMs: 7000,
    };
    const flow = new Driver(flowModel(basicProfile));
    const established = flow.step({ type: 'app.establish', template });
    expect(requirementsOf(established)).toContain('CONF-1');
    expect(
      flow.step({ type: 'remote.message', body: '<b>hi</b>', contentType: HTML }).outputs,
    ).toEqual([messageReceived('<b>hi</b>', HTML), response(1, 202)]);
    expect(
      flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT }).outputs,
    ).toEqual([response(2, 415)]);
    expect(revertInstant(basicProfile, template)).toBe(7000);
  });

  it.each(builtInProfiles.map((profile) => [profile.name, profile] as const))(
    'CONF-4: establishing raises the configuration-requested event before the flow goes Active (%s)',
    (_name, profile) => {
      const flow = new Driver(flowModel(profile));
      const outcome = flow.step({ type: 'app.establish', template: null });
      expect(outcome.outputs[0]).toEqual(configurationRequested);
      expect(outcome.outputs).toEqual([configurationRequested, flowStateChanged('active')]);
      expect(ids(outcome)).toEqual(['establish']);
      expect(requirementsOf(outcome)).toEqual(
        expect.arrayContaining(['CONF-1', 'CONF-2', 'CONF-4', 'CONF-5', 'CONF-6']),
      );
    },
  );

  it('CONF-2: Initialize after the configuration window has no effect on the flow', () => {
    const flow = establishedFlow(basicProfile);
    const late = flow.step({
      type: 'app.initialize',
      template: { consumptionMode: 'proxied-to-remote-entity', composingTimeoutMs: 10_000 },
    });
    expect(late.outputs).toEqual([refused('app.initialize', 'invalid-operation')]);
    expect(ids(late)).toEqual(['active.initialize.rejected']);
    expect(requirementsOf(late)).toEqual(expect.arrayContaining(['CONF-2', 'CONF-3']));
    // Still ConsumedLocally, still the profile's default time-out.
    expect(
      flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT }).outputs,
    ).toContainEqual(response(1, 200));
    flow.step({ type: 'app.setComposing' });
    const start = flow.nowMs;
    flow.advance(basicProfile.timing.composingTimeoutMs - 1);
    expect(flow.queries().localComposingState).toBe('composing');
    flow.advance(1);
    expect(flow.queries().localComposingState).toBe('idle');
    expect(flow.nowMs - start).toBe(basicProfile.timing.composingTimeoutMs);
  });

  it('CONF-3: Initialize before establishment, while Active and after termination is an invalid operation', () => {
    const flow = new Driver(flowModel(guideProfile));
    const template: TemplateSpec = { composingTimeoutMs: 10_000 };
    const before = flow.step({ type: 'app.initialize', template });
    expect(before.outputs).toEqual([refused('app.initialize', 'invalid-operation')]);
    expect(ids(before)).toEqual(['idle.initialize.rejected']);
    expect(flow.queries()).toEqual({ flowState: 'idle' });

    flow.step({ type: 'app.establish', template: null });
    const during = flow.step({ type: 'app.initialize', template });
    expect(during.outputs).toEqual([refused('app.initialize', 'invalid-operation')]);

    flow.step({ type: 'app.terminate' });
    const after = flow.step({ type: 'app.initialize', template });
    expect(after.outputs).toEqual([refused('app.initialize', 'invalid-operation')]);
    expect(ids(after)).toEqual(['terminated.initialize.rejected']);
    for (const outcome of [before, during, after]) {
      expect(requirementsOf(outcome)).toContain('CONF-3');
    }
  });

  it('CONF-5: without a template, or with ConsumedLocally, messages are consumed (200)', () => {
    for (const template of [null, {}, { consumptionMode: 'consumed-locally' }] as const) {
      const flow = establishedFlow(guideProfile, template);
      expect(
        flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT }).outputs,
      ).toEqual([messageReceived('hi', PLAIN_TEXT), response(1, 200)]);
      expect(flow.isIn('active.messaging.consumedLocally')).toBe(true);
    }
  });

  it('CONF-5: a ProxiedToRemoteEntity template makes the flow accept messages (202)', () => {
    const flow = new Driver(flowModel(guideProfile));
    const outcome = flow.step({
      type: 'app.establish',
      template: { consumptionMode: 'proxied-to-remote-entity' },
    });
    expect(outcome.outputs).toEqual([configurationRequested, flowStateChanged('active')]);
    expect(ids(outcome)).toEqual(['establish.proxied']);
    expect(outcome.transitions[0]?.capability).toBe('proxiedConsumption');
    expect(requirementsOf(outcome)).toContain('CONF-5');
    expect(
      flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT }).outputs,
    ).toEqual([messageReceived('hi', PLAIN_TEXT), response(1, 202)]);
  });

  it.each(builtInProfiles.map((profile) => [profile.name, profile] as const))(
    'CONF-6: the composing time-out defaults to three seconds (%s)',
    (_name, profile) => {
      expect(profile.timing.composingTimeoutMs).toBe(3000);
      // With a tolerance window the state reads Composing until the window has passed.
      expect(revertInstant(profile, null)).toBe(3000 + profile.timing.revertToleranceMs);
    },
  );

  it('CONF-6: a template sets a longer composing time-out', () => {
    const longer = basicProfile.timing.composingTimeoutMs + 4000;
    expect(revertInstant(basicProfile, { composingTimeoutMs: longer })).toBe(longer);
    expect(revertInstant(guideProfile, { composingTimeoutMs: longer })).toBe(
      longer + guideProfile.timing.revertToleranceMs,
    );
  });

  it('CONF-6: the profile decides the default time-out a template does not override', () => {
    const profile = variant(basicProfile, { timing: { composingTimeoutMs: 7000 } });
    expect(revertInstant(profile, null)).toBe(7000);
    expect(revertInstant(profile, { composingTimeoutMs: 9000 })).toBe(9000);
  });

  it.each([
    ['the lower bound', 1],
    ['the upper bound', MAX_COMPOSING_TIMEOUT_MS],
  ])('CONF-7: a time-out at %s is accepted', (_label, composingTimeoutMs) => {
    const flow = new Driver(flowModel(basicProfile));
    const outcome = flow.step({ type: 'app.establish', template: { composingTimeoutMs } });
    expect(outcome.outputs).toEqual([configurationRequested, flowStateChanged('active')]);
    expect(revertInstant(basicProfile, { composingTimeoutMs })).toBe(composingTimeoutMs);
  });

  it.each([
    ['zero', 0],
    ['negative', -1],
    ['over 30 s', MAX_COMPOSING_TIMEOUT_MS + 1],
    ['fractional', 1500.5],
  ])(
    'CONF-7: a %s time-out is an invalid argument and the flow keeps its defaults',
    (_label, composingTimeoutMs) => {
      const flow = new Driver(flowModel(basicProfile));
      const outcome = flow.step({
        type: 'app.establish',
        template: {
          composingTimeoutMs,
          consumptionMode: 'proxied-to-remote-entity',
          supportedFormats: [HTML],
        },
      });
      expect(outcome.outputs).toEqual([
        configurationRequested,
        refused('app.establish', 'invalid-argument'),
        flowStateChanged('active'),
      ]);
      expect(ids(outcome)).toEqual(['establish.invalidTemplate']);
      expect(requirementsOf(outcome)).toContain('CONF-7');
      expect(flow.queries().flowState).toBe('active');
      // Defaults: ConsumedLocally, plain text only, the profile's time-out.
      expect(
        flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT }).outputs,
      ).toEqual([messageReceived('hi', PLAIN_TEXT), response(1, 200)]);
      expect(flow.step({ type: 'remote.message', body: 'x', contentType: HTML }).outputs).toEqual([
        response(2, 415),
      ]);
      flow.step({ type: 'app.setComposing' });
      flow.advance(basicProfile.timing.composingTimeoutMs - 1);
      expect(flow.queries().localComposingState).toBe('composing');
      flow.advance(1);
      expect(flow.queries().localComposingState).toBe('idle');
    },
  );

  it("CONF-8: only the template's SupportedFormats raise MessageReceived", () => {
    const flow = establishedFlow(guideProfile, { supportedFormats: [HTML, PLAIN_TEXT] });
    expect(flow.step({ type: 'remote.message', body: 'a', contentType: HTML }).outputs).toEqual([
      messageReceived('a', HTML),
      response(1, 200),
    ]);
    expect(
      flow.step({ type: 'remote.message', body: 'b', contentType: PLAIN_TEXT }).outputs,
    ).toEqual([messageReceived('b', PLAIN_TEXT), response(2, 200)]);
    const other = flow.step({ type: 'remote.message', body: 'c', contentType: 'image/png' });
    expect(other.outputs).toEqual([response(3, 415)]);
    expect(requirementsOf(other)).toContain('CONF-8');
  });

  it('CONF-8: the default template supports plain text only', () => {
    const flow = establishedFlow(guideProfile);
    expect(flow.step({ type: 'remote.message', body: 'x', contentType: HTML }).outputs).toEqual([
      response(1, 415),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { PLAIN_TEXT, type Stimulus } from './alphabet.ts';
import {
  explorationEvents,
  FAILURE_CODES,
  flowTemplates,
  INVALID_COMPOSING_TIMEOUTS,
} from './model.ts';
import { builtInProfiles, guideProfile, MAX_COMPOSING_TIMEOUT_MS } from './profile.ts';
import { Driver, establishedFlow, flowModel } from './test-support.ts';

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

import { describe, expect, it } from 'vitest';
import { PLAIN_TEXT, type TemplateSpec, UNSUPPORTED_FORMAT } from './alphabet.ts';
import { builtInProfiles, guideProfile } from './profile.ts';
import {
  establishedFlow,
  ids,
  isRemoteComposingEvent,
  messageReceived,
  requirementsOf,
  response,
  wireMessage,
} from './test-support.ts';

const consumed: TemplateSpec | null = null;
const proxied: TemplateSpec = { consumptionMode: 'proxied-to-remote-entity' };
const modes = [
  ['ConsumedLocally', consumed, 200, 'receive.consumed', 'send'],
  ['ProxiedToRemoteEntity', proxied, 202, 'receive.proxied', 'proxied.send'],
] as const;

describe.each(builtInProfiles.map((profile) => [profile.name, profile] as const))(
  'messaging (%s)',
  (_name, profile) => {
    it.each(modes)(
      'MSG-1: a message sent on an Active %s flow goes on the wire as given',
      (_mode, template, _code, _receiveId, sendId) => {
        const flow = establishedFlow(profile, template);
        const first = flow.step({ type: 'app.send', body: 'hello', contentType: PLAIN_TEXT });
        expect(first.outputs).toEqual([wireMessage('hello', PLAIN_TEXT)]);
        expect(ids(first)).toEqual([sendId]);
        expect(requirementsOf(first)).toContain('MSG-1');
        const second = flow.step({ type: 'app.send', body: '<i>x</i>', contentType: 'text/html' });
        expect(second.outputs).toEqual([wireMessage('<i>x</i>', 'text/html')]);
        expect(flow.queries().flowState).toBe('active');
      },
    );

    it.each(modes)(
      'MSG-2: a supported incoming message on a %s flow raises MessageReceived with its body and type',
      (_mode, template, code, receiveId) => {
        const flow = establishedFlow(profile, template);
        const outcome = flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT });
        expect(outcome.outputs).toContainEqual(messageReceived('hi', PLAIN_TEXT));
        expect(outcome.outputs).toContainEqual(response(1, code));
        expect(outcome.outputs).toHaveLength(2);
        expect(ids(outcome)).toEqual([receiveId]);
        expect(requirementsOf(outcome)).toContain('MSG-2');
      },
    );

    it('MSG-3: a ConsumedLocally flow answers every incoming message 200 at once', () => {
      const flow = establishedFlow(profile, consumed);
      for (const arrival of [1, 2, 3]) {
        const outcome = flow.step({
          type: 'remote.message',
          body: `m${arrival}`,
          contentType: PLAIN_TEXT,
        });
        expect(outcome.outputs).toEqual([
          messageReceived(`m${arrival}`, PLAIN_TEXT),
          response(arrival, 200),
        ]);
        expect(requirementsOf(outcome)).toContain('MSG-3');
      }
      // Consumption owes nothing: no timer, no later output.
      expect(flow.deadline()).toBeNull();
    });

    it('MSG-4: a ProxiedToRemoteEntity flow only accepts (202) and sends no delivery outcome itself', () => {
      const flow = establishedFlow(profile, proxied);
      const outcome = flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT });
      expect(outcome.outputs).toEqual([messageReceived('hi', PLAIN_TEXT), response(1, 202)]);
      expect(outcome.outputs).not.toContainEqual(response(1, 200));
      expect(requirementsOf(outcome)).toContain('MSG-4');
      expect(
        outcome.outputs.some(
          (output) => 'kind' in output && output.kind === 'deliveryNotification',
        ),
      ).toBe(false);
      expect(flow.deadline()).toBeNull();
    });

    it.each(modes)(
      'MSG-5: an unsupported incoming message on a %s flow is refused 415 without MessageReceived',
      (_mode, template) => {
        const flow = establishedFlow(profile, template);
        const outcome = flow.step({
          type: 'remote.message',
          body: 'x',
          contentType: UNSUPPORTED_FORMAT,
        });
        expect(outcome.outputs).toEqual([response(1, 415)]);
        expect(requirementsOf(outcome)).toContain('MSG-5');
        // It still takes an arrival number: the next message is the second one.
        const next = flow.step({ type: 'remote.message', body: 'y', contentType: PLAIN_TEXT });
        expect(next.outputs).toContainEqual(messageReceived('y', PLAIN_TEXT));
        expect(next.outputs.filter((output) => 'kind' in output)).toEqual([
          expect.objectContaining({ kind: 'response', message: 2 }),
        ]);
      },
    );

    it('MSG-6: proxied messages are answered and raised one after another, in arrival order', () => {
      const flow = establishedFlow(profile, proxied);
      const bodies = ['first', 'second', 'third'];
      const outcome = flow.steps(
        ...bodies.map(
          (body) => ({ type: 'remote.message', body, contentType: PLAIN_TEXT }) as const,
        ),
      );
      expect(outcome.outputs).toEqual(
        bodies.flatMap((body, index) => [
          messageReceived(body, PLAIN_TEXT),
          response(index + 1, 202),
        ]),
      );
      for (const step of outcome.steps) {
        expect(step.transitions.flatMap((meta) => meta.requirements)).toContain('MSG-6');
      }
    });

    it('MSG-2: incoming messages do not touch the composing states', () => {
      const flow = establishedFlow(profile);
      flow.step({ type: 'remote.typing' });
      const outcome = flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT });
      expect(outcome.outputs.some(isRemoteComposingEvent)).toBe(false);
      expect(flow.queries().localComposingState).toBe('idle');
    });
  },
);

describe('messaging without proxying claimed', () => {
  it('MSG-4: the proxied transitions carry the proxiedConsumption capability', () => {
    const flow = establishedFlow(guideProfile, proxied);
    const outcome = flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT });
    expect(outcome.transitions.map((meta) => meta.capability)).toEqual(['proxiedConsumption']);
  });
});

import { describe, expect, it } from 'vitest';
import { type Output, PLAIN_TEXT, type TemplateSpec, UNSUPPORTED_FORMAT } from './alphabet.ts';
import { builtInProfiles, guideProfile } from './profile.ts';
import {
  type Driver,
  establishedFlow,
  ids,
  refused,
  requirementsOf,
  variant,
} from './test-support.ts';

const proxied: TemplateSpec = { consumptionMode: 'proxied-to-remote-entity' };

const success = (message: number): Output => ({
  channel: 'wire',
  kind: 'deliveryNotification',
  message,
  status: 'success',
});
const failure = (message: number, code: number): Output => ({
  channel: 'wire',
  kind: 'deliveryNotification',
  message,
  status: 'failure',
  code,
});

/** A proxied flow that has received `count` plain-text messages. */
function proxiedWith(profile: (typeof builtInProfiles)[number], count: number): Driver {
  const flow = establishedFlow(profile, proxied);
  for (let arrival = 1; arrival <= count; arrival++) {
    flow.step({ type: 'remote.message', body: `m${arrival}`, contentType: PLAIN_TEXT });
  }
  return flow;
}

describe.each(builtInProfiles.map((profile) => [profile.name, profile] as const))(
  'delivery notifications (%s)',
  (_name, profile) => {
    it('DN-1: each proxied message gets the success or failure notification the application sends', () => {
      const flow = proxiedWith(profile, 2);
      const second = flow.step({ type: 'app.deliveryFailure', message: 2, code: 480 });
      expect(second.outputs).toEqual([failure(2, 480)]);
      expect(ids(second)).toEqual(['deliveryFailure']);
      expect(requirementsOf(second)).toContain('DN-1');
      const first = flow.step({ type: 'app.deliverySuccess', message: 1 });
      expect(first.outputs).toEqual([success(1)]);
      expect(ids(first)).toEqual(['deliverySuccess']);
      expect(requirementsOf(first)).toContain('DN-1');
    });

    it('DN-1: receiving a proxied message records the obligation', () => {
      const flow = establishedFlow(profile, proxied);
      const outcome = flow.step({ type: 'remote.message', body: 'm', contentType: PLAIN_TEXT });
      expect(requirementsOf(outcome)).toContain('DN-1');
      // The obligation shows in that the first notification for it is accepted.
      expect(flow.step({ type: 'app.deliverySuccess', message: 1 }).outputs).toEqual([success(1)]);
    });

    it.each([400, 408, 480, 699])(
      'DN-2: a failure notification carrying the SIP failure code %i is sent with it',
      (code) => {
        const flow = proxiedWith(profile, 1);
        const outcome = flow.step({ type: 'app.deliveryFailure', message: 1, code });
        expect(outcome.outputs).toEqual([failure(1, code)]);
        expect(requirementsOf(outcome)).toContain('DN-2');
      },
    );

    it.each([200, 202, 399, 700, 0, 480.5, -480])(
      'DN-9: a failure code of %d is accepted only along an allowed branch, with an advisory',
      (code) => {
        const flow = proxiedWith(profile, 1);
        const stimulus = { type: 'app.deliveryFailure', message: 1, code } as const;
        expect(flow.model.alternatives(flow.snapshot, stimulus)).toEqual([
          { ...stimulus, choice: 'anyCodeAccepted' },
        ]);
        const accepted = flow.model.step(flow.snapshot, { ...stimulus, choice: 'anyCodeAccepted' });
        expect(accepted.outputs).toEqual([failure(1, code)]);
        expect(accepted.transitions.map((t) => [t.id, t.deviates])).toEqual([
          ['deliveryFailure.anyCode', ['DN-9']],
        ]);
      },
    );

    it.each([400, 699])(
      'DN-2: a failure code of %d has no other branch than being sent',
      (code) => {
        const flow = proxiedWith(profile, 1);
        const stimulus = { type: 'app.deliveryFailure', message: 1, code } as const;
        expect(flow.model.alternatives(flow.snapshot, stimulus)).toEqual([]);
        expect(flow.step(stimulus).outputs).toEqual([failure(1, code)]);
      },
    );

    it.each([200, 202, 399, 700, 480.5, -480])(
      'DN-9: a failure code of %d is preferably an invalid argument and the message stays owed',
      (code) => {
        const flow = proxiedWith(profile, 1);
        const outcome = flow.step({ type: 'app.deliveryFailure', message: 1, code });
        expect(outcome.outputs).toEqual([refused('app.deliveryFailure', 'invalid-argument')]);
        expect(ids(outcome)).toEqual(['deliveryFailure.invalidCode']);
        expect(requirementsOf(outcome)).toContain('DN-9');
        expect(flow.step({ type: 'app.deliveryFailure', message: 1, code: 480 }).outputs).toEqual([
          failure(1, 480),
        ]);
      },
    );

    it.each([
      [
        'success after success',
        { type: 'app.deliverySuccess', message: 1 },
        'deliverySuccess.second',
      ],
      [
        'failure after success',
        { type: 'app.deliveryFailure', message: 1, code: 480 },
        'deliveryFailure.second',
      ],
    ] as const)(
      'DN-3: a second notification (%s) is an invalid operation and nothing goes on the wire',
      (_label, again, id) => {
        const flow = proxiedWith(profile, 1);
        flow.step({ type: 'app.deliverySuccess', message: 1 });
        const outcome = flow.step(again);
        expect(outcome.outputs).toEqual([refused(again.type, 'invalid-operation')]);
        expect(ids(outcome)).toEqual([id]);
        expect(requirementsOf(outcome)).toContain('DN-3');
      },
    );

    it('DN-3: a success after a failure is refused too, even with an invalid code', () => {
      const flow = proxiedWith(profile, 1);
      flow.step({ type: 'app.deliveryFailure', message: 1, code: 408 });
      expect(flow.step({ type: 'app.deliverySuccess', message: 1 }).outputs).toEqual([
        refused('app.deliverySuccess', 'invalid-operation'),
      ]);
      expect(flow.step({ type: 'app.deliveryFailure', message: 1, code: 200 }).outputs).toEqual([
        refused('app.deliveryFailure', 'invalid-operation'),
      ]);
    });

    it.each([
      ['success', (message: number) => ({ type: 'app.deliverySuccess', message }) as const],
      [
        'failure',
        (message: number) => ({ type: 'app.deliveryFailure', message, code: 480 }) as const,
      ],
    ])(
      'DN-4: a %s notification for a message never delivered is an invalid argument',
      (_label, notify) => {
        const flow = establishedFlow(profile, proxied);
        const none = flow.step(notify(1));
        expect(none.outputs).toEqual([refused(notify(1).type, 'invalid-argument')]);
        expect(requirementsOf(none)).toContain('DN-4');

        flow.step({ type: 'remote.message', body: 'refused', contentType: UNSUPPORTED_FORMAT });
        flow.step({ type: 'remote.message', body: 'delivered', contentType: PLAIN_TEXT });
        // Message 1 was refused (415), so it was not delivered to the application.
        expect(flow.step(notify(1)).outputs).toEqual([refused(notify(1).type, 'invalid-argument')]);
        // Message 3 has not arrived, message 0 never exists.
        expect(flow.step(notify(3)).outputs).toEqual([refused(notify(3).type, 'invalid-argument')]);
        expect(flow.step(notify(0)).outputs).toEqual([refused(notify(0).type, 'invalid-argument')]);
        // Message 2 is still owed.
        expect(flow.step(notify(2)).outputs).toEqual([
          expect.objectContaining({ channel: 'wire', kind: 'deliveryNotification', message: 2 }),
        ]);
      },
    );

    it('DN-5: a delivery notification on a ConsumedLocally flow is an invalid operation', () => {
      const flow = establishedFlow(profile);
      flow.step({ type: 'remote.message', body: 'm', contentType: PLAIN_TEXT });
      const good = flow.step({ type: 'app.deliverySuccess', message: 1 });
      expect(good.outputs).toEqual([refused('app.deliverySuccess', 'invalid-operation')]);
      expect(ids(good)).toEqual(['consumed.deliverySuccess.rejected']);
      const bad = flow.step({ type: 'app.deliveryFailure', message: 1, code: 480 });
      expect(bad.outputs).toEqual([refused('app.deliveryFailure', 'invalid-operation')]);
      expect(ids(bad)).toEqual(['consumed.deliveryFailure.rejected']);
      for (const outcome of [good, bad]) expect(requirementsOf(outcome)).toEqual(['DN-5']);
    });

    it.each([
      ['ConsumedLocally', null],
      ['ProxiedToRemoteEntity', proxied],
    ] as const)(
      'DN-6: an incoming delivery notification on a %s flow raises DeliveryNotificationReceived',
      (_mode, template) => {
        const flow = establishedFlow(profile, template);
        flow.steps(
          { type: 'app.send', body: 'one', contentType: PLAIN_TEXT },
          { type: 'app.send', body: 'two', contentType: PLAIN_TEXT },
        );
        const ok = flow.step({
          type: 'remote.deliveryNotification',
          message: 1,
          status: 'success',
        });
        expect(ok.outputs).toEqual([
          { channel: 'event', name: 'deliveryNotificationReceived', message: 1, status: 'success' },
        ]);
        expect(requirementsOf(ok)).toEqual(['DN-6']);
        const failed = flow.step({
          type: 'remote.deliveryNotification',
          message: 2,
          status: 'failure',
          code: 480,
        });
        expect(failed.outputs).toEqual([
          {
            channel: 'event',
            name: 'deliveryNotificationReceived',
            message: 2,
            status: 'failure',
            code: 480,
          },
        ]);
      },
    );
  },
);

describe('MSG-6: "serialized" proxied messages (C11)', () => {
  const oneAtATime = variant(guideProfile, { options: { proxiedMessages: 'one-at-a-time' } });
  const received = (body: string): Output => ({
    channel: 'event',
    name: 'messageReceived',
    body,
    contentType: PLAIN_TEXT,
  });

  it('MSG-6: in order, every built-in profile raises each message as it arrives', () => {
    for (const profile of builtInProfiles) expect(profile.options.proxiedMessages).toBe('in-order');
    const flow = proxiedWith(guideProfile, 1);
    const second = flow.step({ type: 'remote.message', body: 'm2', contentType: PLAIN_TEXT });
    expect(second.outputs).toContainEqual(received('m2'));
  });

  it('MSG-6: one at a time, a message arriving while another is owed is accepted but held', () => {
    const flow = proxiedWith(oneAtATime, 1);
    const second = flow.step({ type: 'remote.message', body: 'm2', contentType: PLAIN_TEXT });
    expect(second.outputs).toEqual([{ channel: 'wire', kind: 'response', message: 2, code: 202 }]);
    expect(ids(second)).toEqual(['receive.proxied.held']);
    // Until it is raised the application cannot know it: a notification for it is refused.
    expect(flow.step({ type: 'app.deliverySuccess', message: 2 }).outputs).toEqual([
      refused('app.deliverySuccess', 'invalid-argument'),
    ]);
    // The notification of the first releases it.
    const first = flow.step({ type: 'app.deliveryFailure', message: 1, code: 480 });
    expect(first.outputs).toEqual([failure(1, 480), received('m2')]);
    expect(ids(first)).toEqual(['deliveryFailure.releasesNext']);
    expect(flow.step({ type: 'app.deliverySuccess', message: 2 }).outputs).toEqual([
      { channel: 'wire', kind: 'deliveryNotification', message: 2, status: 'success' },
    ]);
  });

  it('MSG-6: one at a time, a message arriving when nothing is owed is raised at once', () => {
    const flow = proxiedWith(oneAtATime, 1);
    flow.step({ type: 'app.deliverySuccess', message: 1 });
    const second = flow.step({ type: 'remote.message', body: 'm2', contentType: PLAIN_TEXT });
    expect(second.outputs).toContainEqual(received('m2'));
  });

  it('MSG-6, DN-9: an out-of-range code accepted along its branch releases the next message too', () => {
    const flow = proxiedWith(oneAtATime, 1);
    flow.step({ type: 'remote.message', body: 'm2', contentType: PLAIN_TEXT });
    const accepted = flow.step({
      type: 'app.deliveryFailure',
      message: 1,
      code: 200,
      choice: 'anyCodeAccepted',
    });
    expect(accepted.outputs).toEqual([failure(1, 200), received('m2')]);
    expect(ids(accepted)).toEqual(['deliveryFailure.anyCode.releasesNext']);
  });
});

/**
 * Runs the example of docs/reference-example.md and checks that the page shows exactly this
 * code and exactly this outcome, so the documentation cannot drift from the implementation.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Endpoint, InMemoryNetwork, InstantMessagingFlowTemplate, ManualClock } from './index.ts';

async function example(): Promise<string[]> {
  // #region example
  const network = new InMemoryNetwork();
  const clock = new ManualClock();
  const transcript: string[] = [];

  // Both endpoints share the network and the clock; bob refreshes Typing every 3 s.
  const alice = new Endpoint({ name: 'alice', network, clock });
  const bob = new Endpoint({ name: 'bob', network, clock, settings: { refreshPeriodMs: 3000 } });

  // Bob forwards what he receives, so he answers 202 and confirms each delivery himself.
  bob.on('incomingCall', ({ call }) => {
    call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
      flow.initialize(
        new InstantMessagingFlowTemplate({ consumptionMode: 'proxied-to-remote-entity' }),
      );
      flow.on('messageReceived', ({ messageId, body }) => {
        transcript.push(`bob received "${body}"`);
        flow.sendSuccessDeliveryNotification(messageId);
        // Bob types an answer and sends it two seconds later.
        flow.localComposingState = 'composing';
        clock.setTimeout(() => void flow.sendInstantMessage('Hi Alice'), 2000);
      });
    });
    void call.accept();
  });

  // Alice subscribes while her flow is being configured, before it can receive anything.
  const call = alice.createCall('bob');
  call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
    flow.on('deliveryNotificationReceived', ({ messageId, status }) =>
      transcript.push(`alice got delivery ${status} for ${messageId}`),
    );
    flow.on('remoteComposingStateChanged', ({ participant, state }) =>
      transcript.push(`alice sees ${participant.name} ${state}`),
    );
    flow.on('messageReceived', ({ body }) => transcript.push(`alice received "${body}"`));
  });
  await call.establish();

  await call.flow?.sendInstantMessage('Hi Bob');
  await network.settled();

  // Two seconds pass; deliveries land at every instant where a timer fires.
  await clock.advanceSettling(2000, () => network.settled());
  transcript.push(`alice thinks bob is ${call.flow?.remoteComposingState}`);

  // Bob's message did not announce Idle: alice presumes it after 6 s without a notification.
  await clock.advanceSettling(6000, () => network.settled());
  transcript.push(`alice thinks bob is ${call.flow?.remoteComposingState}`);

  await call.terminate();
  transcript.push(`alice's flow is ${call.flow?.state}`);
  // #endregion example
  return transcript;
}

const expectedTranscript = [
  'bob received "Hi Bob"',
  'alice got delivery success for alice-1',
  'alice sees bob composing',
  'alice received "Hi Alice"',
  'alice thinks bob is composing',
  'alice thinks bob is idle',
  "alice's flow is terminated",
];

function fencedBlocks(markdown: string, language: string): string[] {
  const pattern = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...markdown.matchAll(pattern)].map((match) => match[1] ?? '');
}

describe('docs/reference-example.md', () => {
  const page = readFileSync(new URL('../docs/reference-example.md', import.meta.url), 'utf8');
  const source = readFileSync(new URL(import.meta.url), 'utf8');

  it('runs and produces the transcript described', async () => {
    expect(await example()).toEqual(expectedTranscript);
  });

  it('shows exactly the code that runs here', () => {
    // The page imports the same names from the package entry point, one per line.
    const names = /import \{([^}]*)\} from '\.\/index\.ts';/.exec(source)?.[1] ?? '';
    const list = names
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const imports = `import {\n${list.map((name) => `  ${name},\n`).join('')}} from 'imflow/reference';`;
    const region = /\/\/ #region example\n([\s\S]*?)\n\s*\/\/ #endregion example/.exec(source)?.[1];
    const body = (region ?? '')
      .split('\n')
      .map((line) => line.replace(/^ {2}/, ''))
      .join('\n');
    const expected = `${imports}\n\n${body}\n`;
    expect(fencedBlocks(page, 'ts')).toEqual([expected]);
  });

  it('shows the transcript the code produces', () => {
    expect(fencedBlocks(page, 'text')).toEqual([`${expectedTranscript.join('\n')}\n`]);
  });
});

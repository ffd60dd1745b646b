import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { basicProfile, createModels, PLAIN_TEXT } from '../../machines/index.ts';
import { CaseRun } from '../case-run.ts';
import { nodeHostCommand, splitCommandLine } from './commands.ts';
import { HostProcess } from './host-process.ts';
import { protocolSchemaFiles, requestSchemas } from './protocol.ts';
import { startIsolatedAdapter } from './proxy.ts';
import { envelopeProblem, notificationProblem, resultProblem } from './validate.ts';

describe('the published schemas', () => {
  it('are valid JSON Schemas (draft 2020-12), one per message', () => {
    const files = protocolSchemaFiles();
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(files)) {
      expect(() => ajv.compile(schema), name).not.toThrow();
    }
    const methods = Object.keys(requestSchemas);
    for (const method of methods) {
      expect(files[`${method}.request`]).toBeDefined();
      expect(files[`${method}.result`]).toBeDefined();
    }
    expect(Object.keys(files)).toContain('output.notification');
  });

  it('accept what the protocol allows and name the field of what it does not', () => {
    expect(envelopeProblem({ jsonrpc: '2.0', id: 3, result: {} })).toBeUndefined();
    expect(
      envelopeProblem({ jsonrpc: '2.0', id: 3, result: {}, error: { code: 1, message: 'x' } }),
    ).toMatch(/message/);
    expect(envelopeProblem({ jsonrpc: '1.0', id: 3, result: {} })).toMatch(/message\.jsonrpc/);
    const output = (value: object) => notificationProblem('output', { sut: 1, output: value });
    expect(output({ channel: 'wire', kind: 'response', message: 1, code: 200 })).toBeUndefined();
    expect(output({ channel: 'wire', kind: 'response', message: 1 })).toMatch(
      /required property 'code'/,
    );
    expect(output({ channel: 'event', name: 'mcuStateChanged', state: 'lost' })).toMatch(
      /output params\.output\.state must be equal to one of the allowed values .*"lost"/,
    );
    expect(output({ channel: 'error', operation: 'app.send', kind: 'refused' })).toMatch(/\.kind/);
    expect(notificationProblem('setTimer', { sut: 1, timer: 1, ms: -1 })).toMatch(
      /\.ms must be >= 0/,
    );
    expect(resultProblem('apply', { state: { localComposingState: 'typing' } })).toMatch(
      /apply result\.state\.localComposingState/,
    );
    expect(resultProblem('apply', { refused: 'invalid-operation', state: {} })).toBeUndefined();
  });
});

describe('the kit over the protocol', () => {
  it('sends only requests that match the published schemas, and keeps time itself', async () => {
    const ajv = new Ajv2020({ strict: false });
    const checks = Object.fromEntries(
      Object.entries(requestSchemas).map(([method, { params }]) => [method, ajv.compile(params)]),
    );
    const sent: { method: string; params: unknown }[] = [];
    const request = HostProcess.prototype.request;
    HostProcess.prototype.request = function (this: HostProcess, method, params, timeoutMs) {
      sent.push({ method, params });
      return request.call(this, method, params, timeoutMs);
    } as typeof request;
    try {
      const adapter = await startIsolatedAdapter({
        command: nodeHostCommand('adapters/reference.ts'),
        label: 'the reference adapter',
        stepTimeoutMs: 5000,
      });
      const model = createModels(basicProfile).find((m) => m.id === 'imFlow');
      if (!model) throw new Error('no imFlow model');
      const run = await CaseRun.start({
        adapter,
        model,
        name: 'over the protocol',
        origin: 'path',
      });
      for (const stimulus of [
        { type: 'app.establish', template: null },
        { type: 'app.setComposing' },
        { type: 'clock.advance', ms: 2999 },
        { type: 'clock.advance', ms: 1 },
        { type: 'app.send', body: 'hello', contentType: PLAIN_TEXT },
      ] as const) {
        expect(await run.step(stimulus)).toBe(true);
      }
      await run.close();
      await adapter.close();
      expect(run.trace().verdict).toBe('pass');
      // The composing time-out fires at the kit's 3000 ms, and the state reads Idle from then.
      const clockSteps = run.steps.filter((s) => s.stimulus.type === 'clock.advance');
      expect(clockSteps.map((s) => [s.at, s.queries.localComposingState])).toEqual([
        [0, 'composing'],
        [2999, 'idle'],
      ]);
      const fired = sent.filter((s) => s.method === 'fire');
      expect(fired.map((s) => (s.params as { now: number }).now)).toEqual([3000]);
    } finally {
      HostProcess.prototype.request = request;
    }
    expect(sent.map((s) => s.method)).toEqual(
      expect.arrayContaining(['initialize', 'create', 'apply', 'fire', 'dispose']),
    );
    for (const { method, params } of sent) {
      const check = checks[method];
      expect(check?.(params), `${method}: ${JSON.stringify(check?.errors)}`).toBe(true);
    }
  });
});

describe('a process that exits', () => {
  const fixture = fileURLToPath(new URL('./test-adapters/answers-after-exit.mjs', import.meta.url));

  it('is heard to the end of its pipes: an answer and last words that come after its exit', async () => {
    const host = new HostProcess({ argv: [process.execPath, fixture] }, () => {});
    const answer = await host.request('initialize', { protocol: 'imflow-adapter/1' }, 5000);
    expect(answer).toMatchObject({ name: 'x', profile: 'basic' });
    await expect(host.request('query', { sut: 1, now: 0 }, 5000)).rejects.toThrow(
      /exited with code 7/,
    );
    expect(host.stderrTail).toBe('licence expired\n');
  });
});

describe('adapter command lines', () => {
  it('split into words like a shell, without one', () => {
    expect(splitCommandLine('python3 my_adapter.py')).toEqual(['python3', 'my_adapter.py']);
    expect(splitCommandLine(`dotnet run --project "My Adapter" -- 'a b' c\\ d`)).toEqual([
      'dotnet',
      'run',
      '--project',
      'My Adapter',
      '--',
      'a b',
      'c d',
    ]);
    expect(splitCommandLine('  java -jar "x.jar"  ')).toEqual(['java', '-jar', 'x.jar']);
    expect(splitCommandLine('a ""')).toEqual(['a', '']);
    expect(() => splitCommandLine('python3 "unclosed')).toThrow(/unclosed " quote/);
  });
});

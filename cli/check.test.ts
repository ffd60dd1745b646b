import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterProfile, loadAdapter } from '../conformance/load-adapter.ts';
import { requirements } from '../machines/index.ts';
import type { Io } from './io.ts';
import { main } from './main.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const reference = pathToFileURL(join(root, 'adapters', 'reference.ts')).href;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false };
  return { io, out, err, text: () => out.join('\n'), errors: () => err.join('\n') };
}

async function run(...argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, ...c };
}

/** A module outside the package that re-exports a test adapter refusing nothing. */
const refusesNothing = `export { default } from '${pathToFileURL(join(root, 'conformance', 'test-adapters', 'refuses-nothing.ts')).href}';\n`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imflow-cli-'));
  await writeFile(join(dir, 'refuses-nothing.mts'), refusesNothing);
  await writeFile(join(dir, 'no-default.ts'), 'export const name = "nothing here";\n');
  await writeFile(
    join(dir, 'bad-shape.mjs'),
    "export default { name: 'bad', profile: 'ucma-guide', create: 42 };\n",
  );
  await writeFile(
    join(dir, 'bad-profile.mjs'),
    "export default { name: 'bad', profile: { timing: { refreshPeriodMs: 4000 } }, create() {} };\n",
  );
  await writeFile(
    join(dir, 'bad-declarations.ts'),
    `import reference from '${reference}';
export default { ...reference, declarations: { unobservable: [{ channel: 'wire', kind: 'byee' }], queries: ['mood'] } };
`,
  );
  await writeFile(
    join(dir, 'stray.ts'),
    `import reference from '${reference}';
export const adapter = {
  name: 'stray',
  profile: 'ucma-guide',
  create(context) {
    Promise.reject(new Error('stray rejection from the adapter'));
    return reference.create(context);
  },
};
`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadAdapter', () => {
  it('loads relative to cwd, with or without extension, default or named export', async () => {
    await writeFile(
      join(dir, 'named.ts'),
      "export const adapter = { name: 'named', profile: { extends: 'basic', name: 'mine' }, create: () => ({}) };\n",
    );
    const named = await loadAdapter('./named', dir);
    expect(named.name).toBe('named');
    expect(adapterProfile(named).name).toBe('mine');
    expect(adapterProfile(named).capabilities.mcuSession).toBe(false);
    const byDefault = await loadAdapter('refuses-nothing.mts', dir);
    expect(byDefault.name).toBe('refuses nothing');
    expect(adapterProfile(byDefault).name).toBe('ucma-guide');
  });
});

describe('imflow check', () => {
  it('checks the bundled reference implementation by default, with every reporter', async () => {
    const out = join(dir, 'reports-ok');
    const r = await run(
      'check',
      '--runs',
      '5',
      '--seed',
      '3',
      '--reporter',
      'console,json',
      '--reporter',
      'junit',
      '--out',
      out,
    );
    expect(r.errors()).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toBe('imflow: CONFORMANT');
    expect(r.out.at(-2)).toMatch(/^\d+ passed, 0 failed$/);
    expect(r.text()).toContain('imflow check: imflow reference implementation');

    const report = JSON.parse(await readFile(join(out, 'imflow-report.json'), 'utf8'));
    expect(report.verdict).toBe('conformant');
    expect(report.seed).toBe(3);

    const xml = await readFile(join(out, 'imflow-junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'testcase' }).parse(
      xml,
    );
    expect(doc.testsuites.testsuite.testcase).toHaveLength(requirements.length);
  });

  it.each([
    [
      ['check', '--reporter', 'console,pdf'],
      /Unknown reporter "pdf"\. Known reporters: console, json, junit, html/,
    ],
    [['check', '--runs', 'abc'], /--runs must be a number of runs: a whole number from 0/],
    [['check', '--runs', '1.5'], /--runs must be/],
    [['check', '--seed', '5', '--seed', '6'], /--seed takes one value/],
    [['check', '--only', 'chat'], /Unknown requirement group "chat"\. Groups: flow-lifecycle, /],
    [['check', '--machine', 'mcu'], /Unknown machine "mcu"\. Machines: imFlow, mcuSession/],
    [
      ['check', '--only', 'messaging', '--machine', 'mcuSession'],
      /has no tests of the group messaging/,
    ],
    [['check', '--path', '1:2'], /give --machine and --seed with it/],
    [['check', '--step-timeout', '0'], /--step-timeout must be/],
    [['check', '--profile', 'nope'], /Unknown profile "nope"/],
    [['check', '--frobnicate'], /Unknown option `--frobnicate`/],
  ])('refuses %j with exit 2', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.errors()).toMatch(message);
    expect(r.out).toEqual([]);
  });

  it('names the path it tried for a missing adapter module', async () => {
    const r = await run('check', '--adapter', join(dir, 'missing.ts'));
    expect(r.code).toBe(2);
    expect(r.errors()).toContain(`Cannot find the adapter module "${join(dir, 'missing.ts')}"`);
  });

  it('asks for a default export when a module exports no adapter', async () => {
    const r = await run('check', '--adapter', join(dir, 'no-default.ts'));
    expect(r.code).toBe(2);
    expect(r.errors()).toMatch(/exports no adapter: add `export default adapter`/);
  });

  it('names the bad field of an adapter', async () => {
    const shape = await run('check', '--adapter', join(dir, 'bad-shape.mjs'));
    expect(shape.code).toBe(2);
    expect(shape.errors()).toMatch(/adapter\.create must be a function/);
    const profile = await run('check', '--adapter', join(dir, 'bad-profile.mjs'));
    expect(profile.code).toBe(2);
    expect(profile.errors()).toMatch(/adapter\.profile\.timing\.refreshPeriodMs is 4000/);
  });

  it('names every bad declaration of an adapter, with exit 2', async () => {
    const r = await run('check', '--adapter', join(dir, 'bad-declarations.ts'));
    expect(r.code).toBe(2);
    expect(r.errors()).toMatch(/adapter\.declarations are invalid:/);
    expect(r.errors()).toMatch(
      /adapter\.declarations\.unobservable\[0\]\.kind is "byee", no wire output; known: message/,
    );
    expect(r.errors()).toMatch(/adapter\.declarations\.queries\[0\] is "mood", no state query/);
  });

  it('checks only what a group needs, counts only what it shows, and takes --strict', async () => {
    const r = await run(
      'check',
      '--only',
      'local-composing',
      '--machine',
      'imFlow',
      '--runs',
      '5',
      '--seed',
      '3',
      '--strict',
    );
    expect(r.errors()).toBe('');
    expect(r.code).toBe(0);
    expect(r.text()).toMatch(/group local-composing; strict \(advisories fail\)/);
    const group = requirements.filter((q) => q.group === 'local-composing');
    const shown = group.filter((q) => !q.untestable).length;
    expect(r.text()).toMatch(new RegExp(`\n${shown} passed, 0 failed\n`));
    expect(r.text()).not.toMatch(/delivery-notifications|mcu-session/);
    const total = Number(/transitions\s+(\d+): \d+ covered, /.exec(r.text())?.[1]);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(40);
  });

  it('refuses a value given to --strict', async () => {
    const r = await run('check', '--strict=yes', '--runs', '0');
    expect(r.code).toBe(2);
    expect(r.errors()).toMatch(/--strict takes no value|Unused args: `yes`/);
  });

  it('reports an adapter error no step awaited instead of crashing', async () => {
    const exec = promisify(execFile);
    const result = await exec(
      process.execPath,
      [
        join(root, 'bin', 'imflow.mjs'),
        'check',
        '--adapter',
        join(dir, 'stray.ts'),
        // The kit's own process guard; an isolated host turns the rejection into a case note.
        '--in-process',
        '--machine',
        'mcuSession',
        '--runs',
        '1',
      ],
      { cwd: dir },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in result ? result.code : 0).toBe(1);
    expect(result.stdout).toMatch(
      /Problems outside the test cases:\n {2}- A promise was rejected and never handled .*stray rejection from the adapter/,
    );
    expect(result.stdout).toMatch(/imflow: NOT CONFORMANT\n$/);
  });
});

describe('an implementation that refuses nothing', () => {
  const out = () => join(dir, 'reports-bad');
  let check: Awaited<ReturnType<typeof run>>;
  let traces: string[];

  beforeAll(async () => {
    check = await run(
      'check',
      '--adapter',
      join(dir, 'refuses-nothing.mts'),
      '--runs',
      '5',
      '--seed',
      '11',
      '--reporter',
      'json,junit,console',
      '--out',
      out(),
    );
    traces = (await readdir(join(out(), 'traces'))).sort();
  });

  it('is not conformant, and the console names the requirements it breaks', () => {
    expect(check.errors()).toBe('');
    expect(check.code).toBe(1);
    expect(check.out.at(-1)).toBe('imflow: NOT CONFORMANT');
    // Each distinct failure is listed once, with its shortest trace. A refusal left out where
    // only a should-rule asks for it (Initialize outside its handler) is an advisory; a failure
    // code outside 400 to 699 neither refused nor sent fails.
    expect(check.text()).toMatch(
      /\n {2}\d+\. DN-1, DN-2, DN-9: imFlow path \d+ \[ucma-guide\], step \d+ of \d+\n/,
    );
    expect(check.text()).toMatch(/missing: +error invalid-argument from app\.deliveryFailure/);
    expect(check.text()).toMatch(
      /- CONF-3 \(active\.initialize\.ignored\): imFlow (re-plan \d+ )?path \d+, step \d+/,
    );
  });

  it('fails its JUnit testcases with the requirement', async () => {
    const xml = await readFile(join(out(), 'imflow-junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'testcase' }).parse(
      xml,
    );
    const failed = doc.testsuites.testsuite.testcase.filter(
      (c: { failure?: unknown }) => c.failure,
    );
    expect(failed.map((c: Record<string, string>) => c['@_name']?.split(':')[0])).toContain('DN-9');
  });

  /** The path case that fails on a failure code neither refused nor sent, and its step. */
  async function codeFailure() {
    const report = JSON.parse(await readFile(join(out(), 'imflow-report.json'), 'utf8'));
    const cases: {
      name: string;
      steps: {
        stimulus: { type: string };
        verdict: string;
        failure?: { requirements: string[] };
      }[];
    }[] = report.profiles[0].machines.flatMap((m: { pathCases: unknown[] }) => m.pathCases);
    for (const trace of cases) {
      const index = trace.steps.findIndex((step) => step.verdict === 'fail');
      const step = trace.steps[index];
      if (
        step?.stimulus.type === 'app.deliveryFailure' &&
        step.failure?.requirements.includes('DN-9')
      )
        return { file: `${trace.name.toLowerCase().replaceAll(' ', '-')}.json`, step: index + 1 };
    }
    throw new Error('no path case fails on a delivery failure code');
  }

  it('replays a failing trace and reproduces the failure', async () => {
    const { file, step } = await codeFailure();
    const trace = join(out(), 'traces', `ucma-guide-${file}`);
    expect(traces).toContain(`ucma-guide-${file}`);
    const r = await run('replay', trace, '--adapter', join(dir, 'refuses-nothing.mts'));
    expect(r.code).toBe(1);
    expect(r.text()).toMatch(
      new RegExp(`${step}\\. FAIL \\(recorded: fail\\) {2}app\\.deliveryFailure`),
    );
    expect(r.out.at(-1)).toBe(
      `imflow: replay FAILS: reproduces the recorded failure at step ${step} (DN-1, DN-2, DN-9)`,
    );
    // Without --adapter the replay loads the module the trace records.
    const recorded = await run('replay', trace);
    expect(recorded.code).toBe(1);
    expect(recorded.text()).toContain(
      `against refuses nothing (${join(dir, 'refuses-nothing.mts')})`,
    );
    expect(recorded.out.at(-1)).toMatch(/^imflow: replay FAILS: reproduces the recorded failure/);
    // Another adapter is refused, unless the user says so; then the same stimuli pass.
    const reference = join(root, 'adapters', 'reference.ts');
    const other = await run('replay', trace, '--adapter', reference);
    expect(other.code).toBe(2);
    expect(other.errors()).toContain(
      `was recorded with the adapter "refuses nothing", but the replay would run "imflow reference implementation" (--adapter ${reference}). Replay it with --adapter ${join(dir, 'refuses-nothing.mts')}`,
    );
    expect(other.errors()).toContain('or add --any-adapter');
    const fixed = await run('replay', trace, '--adapter', reference, '--any-adapter');
    expect(fixed.code).toBe(0);
    expect(fixed.out.at(-1)).toMatch(/^imflow: replay PASSES: does not reproduce/);
  });

  it('judges the failing trace offline with the same requirement', async () => {
    const { file, step } = await codeFailure();
    const r = await run('verify-trace', join(out(), 'traces', `ucma-guide-${file}`));
    expect(r.code).toBe(1);
    expect(r.text()).toMatch(new RegExp(`${step}\\. FAIL {2}app\\.deliveryFailure`));
    expect(r.text()).toContain(`The recorded verdict (fail at step ${step}) agrees.`);
    expect(r.out.at(-1)).toBe(`imflow: trace FAILS at step ${step}: DN-1, DN-2, DN-9`);
  });

  it('passes a passing trace offline', async () => {
    const report = JSON.parse(await readFile(join(out(), 'imflow-report.json'), 'utf8'));
    const passing = report.profiles[0].machines
      .flatMap((m: { pathCases: { verdict: string }[] }) => m.pathCases)
      .find((t: { verdict: string }) => t.verdict === 'pass');
    expect(passing).toBeDefined();
    const file = join(dir, 'passing.json');
    await writeFile(file, JSON.stringify(passing));
    const r = await run('verify-trace', file);
    expect(r.errors()).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toMatch(/^imflow: trace PASSES \(\d+ steps\)$/);
  });
});

describe('trace files', () => {
  const trace = (steps: unknown[], extra: Record<string, unknown> = {}) => ({
    format: 'imflow-trace/1',
    name: 'recorded',
    origin: 'recorded',
    machine: 'imFlow',
    profile: 'ucma-guide',
    steps,
    ...extra,
  });
  const establish = {
    stimulus: { type: 'app.establish', template: null },
    observed: [
      { output: { channel: 'event', name: 'flowConfigurationRequested' }, at: 0 },
      { output: { channel: 'event', name: 'flowStateChanged', state: 'active' }, at: 0 },
    ],
    queries: { flowState: 'active' },
  };

  it.each([
    ['not json', '{"format": ', /is not valid JSON/],
    [
      'wrong format',
      JSON.stringify(trace([], { format: 'other/1' })),
      /"format" must be "imflow-trace\/1"/,
    ],
    [
      'no stimulus',
      JSON.stringify(trace([{ observed: [] }])),
      /steps\[0\]\.stimulus must be an object with a "type"/,
    ],
    [
      'bad output',
      JSON.stringify(
        trace([
          { ...establish, observed: [{ output: { channel: 'event', name: 'bogus' }, at: 0 }] },
        ]),
      ),
      /steps\[0\]\.observed\[0\]: unknown event name "bogus"/,
    ],
    [
      'unknown profile',
      JSON.stringify(trace([], { profile: 'nope' })),
      /"profile" is "nope", not a built-in profile/,
    ],
  ])(
    'refuses a malformed trace (%s) with exit 2, naming the file and the problem',
    async (name, text, message) => {
      const file = join(dir, `malformed-${name.replace(/\W/g, '-')}.json`);
      await writeFile(file, text);
      for (const command of ['verify-trace', 'replay']) {
        const r = await run(command, file);
        expect(r.code).toBe(2);
        expect(r.errors()).toContain(file);
        expect(r.errors()).toMatch(message);
      }
    },
  );

  it('refuses a clock step that passes a deadline of the model', async () => {
    const file = join(dir, 'long-clock.json');
    const steps = [
      establish,
      {
        stimulus: { type: 'app.setComposing' },
        observed: [{ output: { channel: 'wire', kind: 'composing', state: 'typing' }, at: 0 }],
      },
      { stimulus: { type: 'clock.advance', ms: 60_000 }, observed: [] },
    ];
    await writeFile(file, JSON.stringify(trace(steps)));
    const r = await run('verify-trace', file);
    expect(r.code).toBe(2);
    expect(r.errors()).toMatch(
      /steps\[2\] advances the clock 60000 ms, past the model's next deadline \d+ ms ahead/,
    );
    expect(r.errors()).toMatch(/record clock advances split at the model's deadlines/);
  });

  it('judges a hand-written recording', async () => {
    const file = join(dir, 'recorded.json');
    await writeFile(
      file,
      JSON.stringify(trace([establish, { stimulus: { type: 'app.terminate' }, observed: [] }])),
    );
    const r = await run('verify-trace', file);
    expect(r.code).toBe(1);
    expect(r.text()).toMatch(/1\. pass {2}app\.establish/);
    expect(r.text()).toMatch(/2\. FAIL {2}app\.terminate -> \(nothing\)/);
    expect(r.out.at(-1)).toMatch(/^imflow: trace FAILS at step 2: .*LIFE-4/);
  });
});

describe("a trace that records its adapter's declarations", () => {
  const terminated = {
    stimulus: { type: 'app.terminate' },
    observed: [
      { output: { channel: 'event', name: 'flowStateChanged', state: 'terminated' }, at: 0 },
    ],
    queries: { flowState: 'terminated' },
  };
  const recorded = (declarations?: unknown) => ({
    format: 'imflow-trace/1',
    name: 'no bye',
    origin: 'recorded',
    machine: 'imFlow',
    profile: 'ucma-guide',
    ...(declarations ? { declarations } : {}),
    steps: [
      {
        stimulus: { type: 'app.establish', template: null },
        observed: [
          { output: { channel: 'event', name: 'flowConfigurationRequested' }, at: 0 },
          { output: { channel: 'event', name: 'flowStateChanged', state: 'active' }, at: 0 },
        ],
        queries: { flowState: 'active', localComposingState: 'idle' },
      },
      terminated,
    ],
  });

  it('is judged offline as its adapter was: an event it could not observe is not missing', async () => {
    // The recording saw the BYE of the terminate step but not the flow's StateChanged event.
    const withoutEvent = (declarations?: unknown) => {
      const trace = recorded(declarations);
      return {
        ...trace,
        steps: [
          trace.steps[0],
          { ...terminated, observed: [{ output: { channel: 'wire', kind: 'bye' }, at: 0 }] },
        ],
      };
    };
    const declared = join(dir, 'declared-no-terminated-event.json');
    await writeFile(
      declared,
      JSON.stringify(
        withoutEvent({ unobservable: [{ channel: 'event', name: 'flowStateChanged' }] }),
      ),
    );
    const pass = await run('verify-trace', declared);
    expect(pass.code).toBe(0);
    const bare = join(dir, 'bare-no-terminated-event.json');
    await writeFile(bare, JSON.stringify(withoutEvent()));
    const fail = await run('verify-trace', bare);
    expect(fail.code).toBe(1);
    expect(fail.text()).toMatch(/missing: +event flowStateChanged state=terminated/);
  });

  it('refuses unsound declarations in a trace, with exit 2', async () => {
    const file = join(dir, 'bad-declarations-trace.json');
    await writeFile(file, JSON.stringify(recorded({ queries: ['mood'] })));
    const r = await run('verify-trace', file);
    expect(r.code).toBe(2);
    expect(r.errors()).toMatch(/"declarations" are invalid: declarations\.queries\[0\] is "mood"/);
  });
});

/**
 * Bad input, table-driven: every row is something a user can get wrong (an option, a profile
 * file, a trace file, an adapter module, a handshake of the adapter protocol). Each must end
 * with exit code 2 and one clear message of bounded length, quickly, before any test runs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from './io.ts';
import { main } from './main.ts';

const fixtures = fileURLToPath(new URL('./bad-input-fixtures/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);
const handshake = (mode: string) => `node ${fixture('handshake.mjs')} ${mode}`;
const huge = 'A'.repeat(100_000);

let scratch: string;
let aFile: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'imflow-bad-input-'));
  aFile = join(scratch, 'a-file');
  await writeFile(aFile, 'not a folder\n');
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

interface BadInput {
  readonly argv: () => string[];
  /** What the message must say: what is wrong, and where. */
  readonly message: RegExp;
  /** The longest the whole message may be, in characters (default 600). */
  readonly maxLength?: number;
}

const check = (...argv: string[]) => ['check', '--runs', '0', ...argv];

const table: Record<string, BadInput> = {
  // Options of check.
  'a negative seed': {
    argv: () => check('--seed', '-1'),
    message: /--seed must be a seed: .*got "-1"/,
  },
  'a negative number of runs': {
    argv: () => ['check', '--runs', '-3'],
    message: /--runs must be a number of runs: .*got "-3"/,
  },
  'a negative step time-out': {
    argv: () => check('--step-timeout', '-5'),
    message: /--step-timeout must be .*got "-5"/,
  },
  'a seed that is not a number': {
    argv: () => check('--seed', 'abc'),
    message: /--seed .*got "abc"/,
  },
  'a fractional seed': { argv: () => check('--seed', '1.5'), message: /--seed .*got "1.5"/ },
  'a seed too large': {
    argv: () => check('--seed', '99999999999'),
    message: /from 0 to 2147483647, got "99999999999"/,
  },
  'runs that are not a number': {
    argv: () => ['check', '--runs', 'many'],
    message: /--runs .*got "many"/,
  },
  'zero jobs': {
    argv: () => check('--jobs', '0'),
    message: /--jobs must be a number of jobs: a whole number from 1 to 64, got "0"/,
  },
  'jobs for an adapter in the kit process': {
    argv: () => check('--jobs', '2', '--in-process'),
    message: /--jobs runs profiles side by side .*drop --jobs or --in-process/,
  },
  'a zero step time-out': {
    argv: () => check('--step-timeout', '0'),
    message: /--step-timeout .*got "0"/,
  },
  'an unknown clock': {
    argv: () => check('--clock', 'wall'),
    message: /--clock must be virtual or real, got "wall"/,
  },
  'a jitter tolerance in virtual time': {
    argv: () => check('--jitter-ms', '50'),
    message: /--jitter-ms is the tolerance of a run in real time: give --clock real with it/,
  },
  'a zero jitter tolerance': {
    argv: () => check('--clock', 'real', '--jitter-ms', '0'),
    message: /--jitter-ms must be .*a whole number from 1 to 60000, got "0"/,
  },
  'an endpoint without a wire': {
    argv: () => check('--endpoint', 'sip:sut@127.0.0.1:5070'),
    message: /--endpoint belongs to a check on the wire: give --wire sip with it/,
  },
  'an unknown wire binding': {
    argv: () => check('--wire', 'xmpp', '--endpoint', 'sip:sut@127.0.0.1:5070'),
    message: /--wire must be sip \(the only binding\), got "xmpp"/,
  },
  'a wire check without an endpoint': {
    argv: () => check('--wire', 'sip'),
    message: /--wire sip needs --endpoint sip:USER@127.0.0.1:PORT/,
  },
  'an endpoint off loopback': {
    argv: () => check('--wire', 'sip', '--endpoint', 'sip:sut@10.0.0.1:5070'),
    message: /--endpoint must be a SIP URI on loopback/,
  },
  'a packet capture without a wire': {
    argv: () => check('--pcap', 'run.pcap'),
    message: /--pcap belongs to a check on the wire: give --wire sip with it/,
  },
  'a packet capture into a directory': {
    argv: () => check('--wire', 'sip', '--endpoint', 'sip:sut@127.0.0.1:5070', '--pcap', tmpdir()),
    message: /--pcap .* cannot be written: it is a directory/,
  },
  "an endpoint on the kit's own address": {
    argv: () => check('--wire', 'sip', '--endpoint', 'sip:sut@127.0.0.2:5070'),
    message:
      /is on 127\.0\.0\.2, the kit's own address: give the endpoint another loopback address/,
  },
  'profiles side by side on the wire': {
    argv: () => check('--wire', 'sip', '--endpoint', 'sip:sut@127.0.0.1:5070', '--jobs', '2'),
    message: /on the wire one endpoint takes one case at a time, so drop --jobs/,
  },
  'a wire check in virtual time': {
    argv: () =>
      check('--wire', 'sip', '--endpoint', 'sip:sut@127.0.0.1:5070', '--clock', 'virtual'),
    message: /--wire checks an implementation on its own clock: it runs in real time/,
  },
  'the same option twice': {
    argv: () => check('--seed', '1', '--seed', '2'),
    message: /--seed takes one value, got 2/,
  },
  'an empty profile': {
    argv: () => check('--profile', ''),
    message: /--profile was given an empty value/,
  },
  'an empty value after =': {
    argv: () => check('--profile='),
    message: /--profile was given an empty value/,
  },
  'an unknown profile': {
    argv: () => check('--profile', 'ucma-imaginary'),
    message: /Unknown profile "ucma-imaginary"\. Use one of ucma-guide, ucma-reference, basic/,
  },
  'a 100 KB profile name': {
    argv: () => check('--profile', huge),
    message: /Unknown profile "A+\.\.\. \(100003 characters\)/,
    maxLength: 400,
  },
  'an unknown requirement group': {
    argv: () => check('--only', 'typing'),
    message: /Unknown requirement group "typing"\. Groups: flow-lifecycle/,
  },
  'an unknown machine': {
    argv: () => check('--machine', 'toaster'),
    message: /Unknown machine "toaster"\. Machines: imFlow, mcuSession/,
  },
  'a machine without the group': {
    argv: () => check('--only', 'mcu-session', '--machine', 'imFlow'),
    message: /The machine imFlow has no tests of the group mcu-session/,
  },
  'a path without machine and seed': {
    argv: () => check('--path', '1:2'),
    message: /give --machine and --seed with it/,
  },
  'a malformed path': {
    argv: () => check('--path', 'left', '--machine', 'imFlow', '--seed', '1'),
    message: /--path must be the replay path a property failure printed/,
  },
  'an unknown reporter': {
    argv: () => check('--reporter', 'pdf'),
    message: /Unknown reporter "pdf"\. Known reporters: console, json, junit/,
  },
  'reports into /proc': {
    argv: () => check('--reporter', 'json', '--out', '/proc/x'),
    message: /--out \/proc\/x: cannot create \/proc\/x/,
  },
  'reports into a file': {
    argv: () => check('--reporter', 'junit', '--out', join(aFile, 'reports')),
    message: /is a file, not a folder/,
  },
  'an unknown option': { argv: () => check('--colour'), message: /Unknown option `--colour`/ },
  'an unknown command': { argv: () => ['chekc'], message: /Unknown command "chekc"/ },
  'an empty adapter path': {
    argv: () => check('--adapter', ''),
    message: /--adapter was given an empty value/,
  },
  'both --adapter and --adapter-command': {
    argv: () => check('--adapter', 'a.ts', '--adapter-command', 'python3 a.py'),
    message: /Give either --adapter MODULE or --adapter-command "COMMAND", not both/,
  },
  'an empty adapter command': {
    argv: () => check('--adapter-command', ' '),
    message: /--adapter-command was given an empty value/,
  },
  'an adapter command with an unclosed quote': {
    argv: () => check('--adapter-command', "python3 'my adapter.py"),
    message: /the command has an unclosed ' quote/,
  },
  '--in-process with an adapter command': {
    argv: () => check('--in-process', '--adapter-command', 'python3 a.py'),
    message: /--in-process applies to --adapter modules only/,
  },
  // Diagrams.
  'diagrams into a file': {
    argv: () => ['diagrams', '--out', aFile],
    message: /is a file, not a folder/,
  },
  'diagrams into /proc': {
    argv: () => ['diagrams', '--out', '/proc/x'],
    message: /cannot create \/proc\/x/,
  },
  // Profile files.
  'a missing profile file': {
    argv: () => check('--profile', fixture('no-such-profile.json')),
    message: /Cannot read profile file .*no-such-profile\.json: ENOENT/,
  },
  'a profile file that is not JSON': {
    argv: () => check('--profile', fixture('profile-not-json.json')),
    message: /Profile file .*profile-not-json\.json is not valid JSON/,
  },
  'a profile with a bad value': {
    argv: () => check('--profile', fixture('profile-bad-field.json')),
    message: /timing\.refreshPeriodMs is 4000; allowed: 3000, 5000/,
  },
  'a profile with an unknown field': {
    argv: () => check('--profile', fixture('profile-unknown-key.json')),
    message: /\.colour is not a profile field/,
  },
  'a profile that is an array': {
    argv: () => check('--profile', fixture('profile-array.json')),
    message: /must be a JSON object, got \[\]/,
  },
  // Trace files.
  'a missing trace file': {
    argv: () => ['verify-trace', fixture('no-such-trace.json')],
    message: /Cannot read trace file .*ENOENT/,
  },
  'a trace that is not JSON': {
    argv: () => ['verify-trace', fixture('trace-not-json.json')],
    message: /Trace file .* is not valid JSON/,
  },
  'a trace of another format': {
    argv: () => ['verify-trace', fixture('trace-wrong-format.json')],
    message: /"format" must be "imflow-trace\/1", got "imflow-trace\/0"/,
  },
  'a trace of an unknown machine': {
    argv: () => ['verify-trace', fixture('trace-unknown-machine.json')],
    message: /"machine" must be "imFlow" or "mcuSession", got "toaster"/,
  },
  'a replay of a trace recorded on the wire': {
    argv: () => ['replay', fixture('trace-on-the-wire.json')],
    message: /was recorded on the wire.*run the check again with --wire sip --endpoint URI/,
  },
  'an empty trace': {
    argv: () => ['verify-trace', fixture('trace-empty.json')],
    message: /"steps" is empty; a trace to judge needs at least one step/,
  },
  "a trace with another machine's stimulus": {
    argv: () => ['verify-trace', fixture('trace-other-machine.json')],
    message:
      /steps\[0\]\.stimulus\.type is "conf\.join", a stimulus of the mcuSession machine, but "machine" is "imFlow"/,
  },
  'a trace with an unknown stimulus': {
    argv: () => ['verify-trace', fixture('trace-unknown-stimulus.json')],
    message: /steps\[0\]\.stimulus\.type is "app\.dance", not a stimulus of the model/,
  },
  'a trace with an unknown state in an output': {
    argv: () => ['verify-trace', fixture('trace-unknown-state.json')],
    message:
      /steps\[0\]\.observed\[0\]\.output\.state must be equal to one of the allowed values.*"dancing"/,
  },
  'a trace with an unknown state reading': {
    argv: () => ['verify-trace', fixture('trace-unknown-query-state.json')],
    message: /steps\[0\]\.queries: queries\.flowState is "dancing"/,
  },
  'a trace with a negative time': {
    argv: () => ['verify-trace', fixture('trace-negative-time.json')],
    message: /steps\[0\]\.at must be a non-negative number of milliseconds, got -5/,
  },
  'a trace with a negative clock advance': {
    argv: () => ['verify-trace', fixture('trace-negative-advance.json')],
    message: /steps\[0\]\.stimulus\.ms must be a non-negative number/,
  },
  'a trace with an unknown profile': {
    argv: () => ['verify-trace', fixture('trace-unknown-profile.json')],
    message: /"profile" is "nope", not a built-in profile/,
  },
  // Adapter modules, loaded in their host process.
  'a missing adapter module': {
    argv: () => check('--adapter', fixture('no-such-adapter.ts')),
    message: /Cannot find the adapter module ".*no-such-adapter\.ts"/,
  },
  'a 100 KB adapter path': {
    argv: () => check('--adapter', huge),
    message: /Cannot find the adapter module "A+\.\.\. \(\d+ characters\)/,
    maxLength: 700,
  },
  'an adapter whose default export throws on every read': {
    argv: () => check('--adapter', fixture('adapter-throwing-proxy.mjs')),
    message: /no property here/,
  },
  'an adapter module that throws when imported': {
    argv: () => check('--adapter', fixture('adapter-throws-on-import.mjs')),
    message: /Cannot load the adapter module .*: this module refuses to load/,
  },
  'an adapter module that exports no adapter': {
    argv: () => check('--adapter', fixture('adapter-exports-nothing.mjs')),
    message: /exports no adapter: add `export default adapter`/,
  },
  'an adapter without create': {
    argv: () => check('--adapter', fixture('adapter-bad-shape.mjs')),
    message: /adapter\.create must be a function/,
  },
  'an adapter claiming an unknown profile': {
    argv: () => check('--adapter', fixture('adapter-unknown-profile.mjs')),
    message: /adapter\.profile is "ucma-imaginary", which is not a built-in profile/,
  },
  // Adapter commands and the protocol's handshake.
  'an adapter command that does not exist': {
    argv: () => check('--adapter-command', 'imflow-no-such-program --serve'),
    message:
      /Cannot start the adapter command .*could not be started: spawn imflow-no-such-program ENOENT/,
  },
  'an adapter command whose script is missing': {
    argv: () => check('--adapter-command', `python3 ${fixture('no-such-adapter.py')}`),
    message:
      /it exited with code 2 before it answered the handshake \(its standard error ends: .*No such file/,
  },
  'an adapter command whose last words on standard error come after its exit': {
    // A process it started keeps the pipes open and writes the reason a little later.
    argv: () =>
      check(
        '--adapter-command',
        `sh -c '(sleep 0.1; echo "licence server unreachable" >&2) & exit 3'`,
      ),
    message:
      /it exited with code 3 before it answered the handshake \(its standard error ends: licence server unreachable\)/,
  },
  'an adapter process that exits at once': {
    argv: () => check('--adapter-command', handshake('exit')),
    message: /it exited with code 4 before it answered the handshake/,
  },
  'a handshake without a profile': {
    argv: () => check('--adapter-command', handshake('no-profile')),
    message: /initialize result must have required property 'profile'/,
  },
  'a handshake that is not JSON': {
    argv: () => check('--adapter-command', handshake('not-json')),
    message:
      /wrote a line that is not JSON on its standard output: "ready!" \(logs belong on standard error\)/,
  },
  'a handshake answering another request': {
    argv: () => check('--adapter-command', handshake('wrong-id')),
    message: /answered request 99, which the kit did not send/,
  },
  'a handshake declaring an unknown query': {
    argv: () => check('--adapter-command', handshake('bad-queries')),
    message:
      /initialize result\.declarations\.queries\.0 must be equal to one of the allowed values.*"mood"/,
  },
  'a handshake without "jsonrpc"': {
    argv: () => check('--adapter-command', handshake('no-jsonrpc')),
    message: /message must have required property 'jsonrpc'/,
  },
  'a handshake the implementation refuses': {
    argv: () => check('--adapter-command', handshake('refuses')),
    message: /^imflow: licence file missing$/,
  },
  'a handshake with an invalid profile': {
    argv: () => check('--adapter-command', handshake('bad-profile')),
    message: /adapter\.profile\.timing\.remoteIdleMs is 0/,
  },
};

// Every row is refused before any test runs, and most wait on a host process starting: the rows
// share nothing, so they run side by side.
describe.concurrent('bad input', () => {
  it('has at least 40 cases', () => {
    expect(Object.keys(table).length).toBeGreaterThanOrEqual(40);
  });

  for (const [name, { argv, message, maxLength = 600 }] of Object.entries(table)) {
    it(`${name}: exit 2 with one clear message`, async () => {
      const out: string[] = [];
      const err: string[] = [];
      const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false };
      const started = performance.now();
      const code = await main(argv(), io);
      const text = err.join('\n');
      expect({ code, text }).toMatchObject({ code: 2, text: expect.stringMatching(message) });
      expect(text.length).toBeLessThanOrEqual(maxLength);
      expect(text.startsWith('imflow: ')).toBe(true);
      // Nothing ran: no verdict was printed.
      expect(out.join('\n')).not.toMatch(/CONFORMANT/);
      expect(performance.now() - started).toBeLessThan(20_000);
    });
  }
});

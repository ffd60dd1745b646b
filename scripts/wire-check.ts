/**
 * `npm run wire`: the checks that run in real time, too long for `npm test`, each printed as
 * a row of one table:
 *  - the reference implementation's SIP endpoint, checked on the wire (UDP, every test, and
 *    TCP, the path tests) by the built command line, as a user runs it;
 *  - the same path plan in virtual and in real time, and the transitions each judged;
 *  - the wire mutants (mutants/wire.ts), each killed and named on the wire.
 * Exits 1 when any row fails. Every run is bounded in time; all traffic stays on loopback.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import referenceAdapter from '../adapters/reference.ts';
import type { ClockMode } from '../conformance/case-run.ts';
import type { SuiteResult } from '../conformance/results.ts';
import { runSuite } from '../conformance/suite.ts';
import { findBuiltInProfile } from '../machines/index.ts';
import { repositoryRoot } from '../mutants/apply.ts';
import { killOnTheWire, wireMutants } from '../mutants/wire.ts';

const REAL_TIME: ClockMode & { kind: 'real' } = { kind: 'real', jitterMs: 100 };
const SEED = 1;
/** A bound on one check by the command line; the full UDP check takes a few minutes. */
const CHECK_LIMIT_MS = 15 * 60_000;

interface Row {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly seconds: number;
}

const rows: Row[] = [];

/** Keeps a row for the table, and says it at once: each check takes minutes of real time. */
function record(row: Row) {
  rows.push(row);
  console.log(`${row.ok ? 'pass' : 'FAIL'}  ${row.what} (${row.seconds} s): ${row.detail}`);
}
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

function cliCheck(what: string, args: readonly string[]) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(repositoryRoot, 'bin', 'imflow.mjs'), ...args], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: CHECK_LIMIT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = run.stdout ?? '';
  const counts = /^(\d+) passed, (\d+) failed$/m.exec(out)?.[0] ?? 'no counts';
  const timed = /^ {4}wire composing typing: (.*)$/m.exec(out)?.[1];
  const capture = /^Wrote (\d+) SIP messages/m.exec(out)?.[1];
  record({
    what,
    ok: run.status === 0,
    detail: [
      `exit ${run.status ?? run.signal}`,
      counts,
      timed ? `Typing lateness ms min/median/max, count: ${timed}` : undefined,
      capture ? `${capture} SIP messages captured` : undefined,
    ]
      .filter(Boolean)
      .join('; '),
    seconds: seconds(started),
  });
  if (run.status !== 0) process.stderr.write(`${what}:\n${out}\n${run.stderr ?? ''}\n`);
}

/** Transition IDs the path tests judged in passing steps. */
function judged(result: SuiteResult): Set<string> {
  const ids = new Set<string>();
  for (const profile of result.profiles)
    for (const machine of profile.machines)
      for (const [id, state] of Object.entries(machine.coverage.transitions))
        if (state === 'covered') ids.add(`${machine.machine}:${id}`);
  return ids;
}

async function samePlanBothWays() {
  const started = performance.now();
  const profile = findBuiltInProfile('ucma-guide');
  if (!profile) throw new Error('the built-in profile ucma-guide is missing');
  const run = (clock?: ClockMode) =>
    runSuite({
      adapter: referenceAdapter,
      profiles: [profile],
      seed: SEED,
      runs: 0,
      ...(clock ? { clock, casesAtOnce: 8 } : {}),
    });
  const virtual = judged(await run());
  const real = judged(await run(REAL_TIME));
  const onlyVirtual = [...virtual].filter((id) => !real.has(id));
  const onlyReal = [...real].filter((id) => !virtual.has(id));
  record({
    what: 'reference, path plan in virtual and in real time',
    ok: onlyVirtual.length === 0,
    detail: `transitions judged: ${virtual.size} virtual, ${real.size} real${onlyVirtual.length ? `; only in virtual time: ${onlyVirtual.join(', ')}` : ''}${onlyReal.length ? `; only in real time: ${onlyReal.join(', ')}` : ''}`,
    seconds: seconds(started),
  });
}

async function mutantsOnTheWire() {
  let port = 5290;
  for (const mutant of wireMutants()) {
    const kill = await killOnTheWire(mutant, {
      endpoint: `sip:sut@127.0.0.1:${port++}`,
      seed: SEED,
      clock: REAL_TIME,
    });
    record({
      what: `wire mutant ${mutant.id}`,
      ok: kill.killed,
      detail: kill.error
        ? `error: ${kill.error}`
        : `${kill.killed ? 'killed' : 'NOT killed'}, naming ${kill.requirementsReported.join(', ') || 'nothing'} (its rule: ${mutant.requirement})`,
      seconds: kill.durationMs / 1000,
    });
  }
}

const started = performance.now();
cliCheck('reference endpoint on the wire, UDP, every test', [
  'check',
  '--wire',
  'sip',
  '--endpoint',
  'sip:sut@127.0.0.1:5270',
  '--seed',
  String(SEED),
  '--pcap',
  join('reports', 'wire-udp.pcap'),
]);
cliCheck('reference endpoint on the wire, TCP, path tests', [
  'check',
  '--wire',
  'sip',
  '--endpoint',
  'sip:sut@127.0.0.1:5271;transport=tcp',
  '--runs',
  '0',
]);
await samePlanBothWays();
await mutantsOnTheWire();

const width = Math.max(...rows.map((row) => row.what.length));
console.log(`| ${'check'.padEnd(width)} | result | seconds | detail |`);
console.log(`| ${'-'.repeat(width)} | ------ | ------- | ------ |`);
for (const row of rows) {
  console.log(
    `| ${row.what.padEnd(width)} | ${row.ok ? 'pass  ' : 'FAIL  '} | ${String(row.seconds).padStart(7)} | ${row.detail} |`,
  );
}
const failed = rows.filter((row) => !row.ok).length;
console.log(
  `\n${rows.length - failed} passed, ${failed} failed (real time, ${seconds(started)} s in all)`,
);
process.exitCode = failed > 0 ? 1 : 0;

/**
 * `npm run mutants`: runs the conformance kit against every mutant of the catalogue, one after
 * another, and prints the kill matrix.
 *
 *   npm run mutants                      every mutant, seed 1, 100 runs per machine
 *   npm run mutants -- --only ID         one mutant (repeat --only for several)
 *   npm run mutants -- --seed 7 --runs 30
 *
 * Exits 1 when a mutant survives, cannot be run, or is killed by a report that does not name
 * the requirement it breaks.
 */
import { findMutant, type Mutant, mutants } from '../mutants/catalogue.ts';
import { type MutantResult, runMutant } from '../mutants/kill.ts';

interface Arguments {
  readonly only: string[];
  readonly seed: number;
  readonly runs: number;
}

function usage(problem: string): never {
  console.error(`${problem}\nUsage: npm run mutants -- [--only ID]... [--seed N] [--runs N]`);
  process.exit(2);
}

function parseArguments(argv: readonly string[]): Arguments {
  const only: string[] = [];
  let seed = 1;
  let runs = 100;
  const wholeNumber = (flag: string, value: string | undefined) => {
    const number = Number(value);
    if (value === undefined || !Number.isInteger(number) || number < 0) {
      usage(`${flag} needs a whole number, got ${JSON.stringify(value)}.`);
    }
    return number;
  };
  for (let index = 0; index < argv.length; index++) {
    const [flag, inline] = (argv[index] as string).split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++index];
    switch (flag) {
      case '--only': {
        const id = value();
        if (!id) usage('--only needs a mutant id.');
        only.push(id);
        break;
      }
      case '--seed':
        seed = wholeNumber(flag, value());
        break;
      case '--runs':
        runs = wholeNumber(flag, value());
        break;
      case '--help':
      case '-h':
        usage('Runs the conformance kit against the mutant catalogue.');
        break;
      default:
        usage(`Unknown argument ${JSON.stringify(argv[index])}.`);
    }
  }
  return { only, seed, runs };
}

function killedBy(result: MutantResult): string {
  if (result.error) return 'ERROR';
  return result.killed ? result.killedBy.join('+') : 'SURVIVED';
}

function reported(result: MutantResult): string {
  if (result.requirementsReported.length === 0) return '-';
  const list = result.requirementsReported.join(' ');
  return result.killed && !result.namesItsRequirement ? `${list} (missing ${result.requirement})` : list;
}

function table(results: readonly MutantResult[]): string {
  const header = ['mutant', 'requirement', 'profile', 'killed by', 'requirements reported', 'shrunk steps', 'path step', 'ms to first failure'];
  const rows = results.map((r) => [
    r.id,
    r.requirement,
    r.profile,
    killedBy(r),
    reported(r),
    r.shrunkSteps === undefined ? '-' : String(r.shrunkSteps),
    r.pathFailureStep === undefined ? '-' : String(r.pathFailureStep),
    r.msToFirstFailure < 0 ? '-' : String(r.msToFirstFailure),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  const format = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ')} |`;
  return [format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(format)].join('\n');
}

async function main() {
  const args = parseArguments(process.argv.slice(2));
  const selected: Mutant[] = args.only.length === 0 ? [...mutants] : args.only.map((id) => findMutant(id) ?? usage(`Unknown mutant ${JSON.stringify(id)}.`));
  console.log(`Running ${selected.length} mutant(s) with seed ${args.seed} and ${args.runs} property runs per machine.\n`);
  const started = performance.now();
  const results: MutantResult[] = [];
  for (const [index, mutant] of selected.entries()) {
    const result = await runMutant(mutant, { seed: args.seed, runs: args.runs });
    results.push(result);
    const note = result.error ? ` — ${result.error}` : '';
    console.log(`[${String(index + 1).padStart(2)}/${selected.length}] ${mutant.id}: ${killedBy(result)} in ${result.durationMs} ms${note}`);
  }
  const totalMs = Math.round(performance.now() - started);
  console.log(`\n${table(results)}\n`);
  const errors = results.filter((r) => r.error);
  const survivors = results.filter((r) => !r.error && !r.killed);
  const unnamed = results.filter((r) => r.killed && !r.namesItsRequirement);
  const killed = results.filter((r) => r.killed);
  console.log(
    `${killed.length}/${results.length} killed (${killed.length - unnamed.length} naming their requirement), ` +
      `${survivors.length} survived, ${errors.length} error(s), ${unnamed.length} killed without naming the requirement; ` +
      `${totalMs} ms in all (seed ${args.seed}, ${args.runs} runs).`,
  );
  for (const r of survivors) console.log(`  survived: ${r.id} (${r.requirement}, ${r.profile})`);
  for (const r of errors) console.log(`  error: ${r.id}: ${r.error}`);
  for (const r of unnamed) console.log(`  not named: ${r.id} breaks ${r.requirement}; the report names ${r.requirementsReported.join(', ') || 'nothing'}`);
  process.exitCode = errors.length + survivors.length + unnamed.length > 0 ? 1 : 0;
}

await main();

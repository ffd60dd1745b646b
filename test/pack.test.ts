import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as an implementer gets it: `npm pack`, the tarball installed into a fresh
 * project of its own (strict tsconfig, `skipLibCheck: false`, no @types/node), where an
 * adapter type-checks, `imflow check` runs it and the project's own Vitest runs
 * `conformanceSuite`. The timings are printed, never asserted.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = join(root, 'test', 'pack-project');
const exec = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(command: string, args: readonly string[], cwd: string): Promise<Ran> {
  try {
    const { stdout, stderr } = await exec(command, [...args], {
      cwd,
      maxBuffer: 32 * 1024 * 1024,
      // The project is its own: nothing of this repository's environment leaks into it.
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        npm_config_update_notifier: 'false',
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? String(error),
    };
  }
}

async function timed<T>(what: string, action: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await action();
  timings.push(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(
    await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

/** The bundled reference adapter as an implementer would write it: imports from the package. */
function asPackageUser(source: string): string {
  return source
    .replaceAll("'../conformance/index.ts'", "'imflow/conformance'")
    .replaceAll("'../machines/index.ts'", "'imflow/machines'")
    .replaceAll("'../reference/index.ts'", "'imflow/reference'");
}

const timings: string[] = [];
let work: string;
let project: string;
let tarball: string;
let install: Ran;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imflow-pack-'));
  project = join(work, 'project');
  const packed = await timed('npm pack', () =>
    // dist/ is fresh (the global setup built it); rebuilding here would pull it from under
    // the other test files that run the compiled CLI at the same time.
    run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root),
  );
  expect(packed.code, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
    filename: string;
    size: number;
    unpackedSize: number;
    entryCount: number;
  }[];
  if (!info) throw new Error(`npm pack printed no tarball: ${packed.stdout}`);
  tarball = join(work, info.filename);
  timings.push(
    `tarball: ${(info.size / 1024).toFixed(0)} kB (${(info.unpackedSize / 1024).toFixed(0)} kB unpacked, ${info.entryCount} files)`,
  );

  await cp(fixture, project, { recursive: true });
  await writeFile(
    join(project, 'adapter.ts'),
    asPackageUser(await readFile(join(root, 'adapters', 'reference.ts'), 'utf8')),
  );
  // The same versions as this repository's, so that npm's cache serves them.
  const tools = await Promise.all(
    ['typescript', 'vitest'].map(async (name) => `${name}@${await installedVersion(name)}`),
  );
  install = await timed('npm install (tarball, typescript, vitest)', () =>
    run(
      npm,
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', tarball, ...tools],
      project,
    ),
  );
}, 300_000);

afterAll(async () => {
  if (timings.length > 0) console.log(`pack test timings:\n  ${timings.join('\n  ')}`);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed package in a project of its own', () => {
  it('installs from the tarball', async () => {
    expect(install.code, install.stderr).toBe(0);
    const manifest = JSON.parse(
      await readFile(join(project, 'node_modules', 'imflow', 'package.json'), 'utf8'),
    ) as { bin: Record<string, string> };
    expect(Object.keys(manifest.bin)).toEqual(['imflow']);
  });

  it('ships compiled JavaScript and declarations, not the sources or the tests', async () => {
    const listed = await run('tar', ['-tzf', tarball], work);
    const files = listed.stdout.split('\n').filter(Boolean);
    expect(files).toContain('package/dist/cli/main.js');
    expect(files).toContain('package/dist/conformance/index.d.ts');
    expect(files).toContain('package/dist/report/assets/report.js');
    expect(files.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((file) => /\.test\.|test-|\/test\//.test(file))).toEqual([]);
  });

  it('documents every model type it re-exports for adapter authors', async () => {
    const declarations = await readFile(
      join(project, 'node_modules', 'imflow', 'dist', 'conformance', 'public-types.d.ts'),
      'utf8',
    );
    const exported = [...declarations.matchAll(/(\*\/\s*)?export type (\w+)/g)];
    expect(exported.map((m) => m[2])).toEqual(
      expect.arrayContaining(['Output', 'Stimulus', 'Queries', 'Profile', 'ProfileOptions']),
    );
    expect(exported.filter((m) => !m[1]).map((m) => m[2])).toEqual([]);
  });

  it('needs no @types/node in the project', async () => {
    await expect(stat(join(project, 'node_modules', '@types', 'node'))).rejects.toThrow();
  });

  it("type-checks an adapter under the project's strict tsconfig, skipLibCheck off", async () => {
    const checked = await timed("tsc of the user's project", () =>
      run(
        process.execPath,
        [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
        project,
      ),
    );
    expect(`${checked.stdout}${checked.stderr}`).toBe('');
    expect(checked.code).toBe(0);
  });

  it('catches a wrong output in the adapter as a type error', async () => {
    const wrong = join(project, 'wrong.ts');
    await writeFile(
      wrong,
      "import type { Output } from 'imflow/conformance';\nexport const bad: Output = { channel: 'wire', kind: 'invite' };\n",
    );
    const checked = await run(
      process.execPath,
      [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      project,
    );
    await rm(wrong);
    expect(checked.code).not.toBe(0);
    expect(checked.stdout).toMatch(/wrong\.ts.*error/);
  });

  it('runs `npx imflow check --adapter ./adapter.ts` from the compiled CLI', async () => {
    const checked = await timed('npx imflow check --adapter ./adapter.ts', () =>
      run(
        npm,
        ['exec', '--offline', '--', 'imflow', 'check', '--adapter', './adapter.ts'],
        project,
      ),
    );
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toMatch(/imflow: CONFORMANT\n$/);
    expect(checked.code).toBe(0);
  });

  it('runs the bundled reference adapter, writes the HTML report and ships the trace schema', async () => {
    const checked = await run(
      npm,
      [
        'exec',
        '--offline',
        '--',
        'imflow',
        'check',
        '--machine',
        'mcuSession',
        '--runs',
        '2',
        '--reporter',
        'html,console',
        '--out',
        'reports',
      ],
      project,
    );
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toMatch(/imflow check: imflow reference implementation\n/);
    expect(checked.code).toBe(0);
    const html = await readFile(join(project, 'reports', 'imflow-report.html'), 'utf8');
    const css = await readFile(join(root, 'report', 'assets', 'report.css'), 'utf8');
    expect(html).toContain(css.trim().split('\n')[0]);
    const help = await run(
      npm,
      ['exec', '--offline', '--', 'imflow', 'verify-trace', '--help'],
      project,
    );
    const schema = /JSON Schema of traces: (\S+)/.exec(help.stdout)?.[1] ?? '';
    const published = JSON.parse(
      await readFile(join(project, 'node_modules', 'imflow', schema), 'utf8'),
    );
    expect(published.title).toBe('imflow trace');
  });

  it("runs conformanceSuite from imflow/vitest in the project's own Vitest", async () => {
    const tested = await timed("the project's vitest run", () =>
      run(
        process.execPath,
        [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter', 'verbose'],
        project,
      ),
    );
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/imflow conformance: imflow reference implementation/);
    expect(tested.stdout).toMatch(/Tests\s+\d+ passed/);
  });
});

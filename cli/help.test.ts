import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commandList } from '../scripts/cli-docs.ts';
import { PACKAGE_ROOT, TRACE_SCHEMA_PATH, VERSION } from './package-info.ts';

/** Help and version, from the compiled command line as an installed package runs it. */

const root = fileURLToPath(new URL('..', import.meta.url));

async function imflow(...argv: string[]) {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [
    join(root, 'bin', 'imflow.mjs'),
    ...argv,
  ]);
  return { stdout, stderr };
}

describe('imflow --version and --help', () => {
  it('prints the version of the package', async () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(VERSION).toBe(manifest.version);
    expect((await imflow('--version')).stdout).toMatch(new RegExp(`^imflow/${manifest.version} `));
    expect((await imflow('check', '--version')).stdout).toMatch(/^imflow\/\d+\.\d+\.\d+/);
  });

  it("shows a command's description under its usage", async () => {
    const { stdout } = await imflow('check', '--help');
    expect(stdout).toMatch(
      /Usage:\n {2}\$ imflow check\n\n {2}Check an implementation against the model, through its adapter\n/,
    );
    expect(stdout).toContain('--shard <i/n>');
  });

  it('describes the trace format and points to its JSON Schema, which the package ships', async () => {
    const { stdout } = await imflow('verify-trace', '--help');
    expect(stdout).toContain('"format": "imflow-trace/1"');
    expect(stdout).toContain(`JSON Schema of traces: ${TRACE_SCHEMA_PATH}`);
    expect(existsSync(join(PACKAGE_ROOT, TRACE_SCHEMA_PATH))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(manifest.files).toContain('docs/schema');
  });
});

describe("the README's command list", () => {
  const list = commandList().content;

  it('is generated from the definitions with every option, the README holds it', () => {
    for (const option of [
      '--machine <machine>',
      '--path <path>',
      '--step-timeout <ms>',
      '--shard <i/n>',
      '--any-adapter',
    ]) {
      expect(list).toContain(`[${option}]`);
    }
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(list);
  });

  it('does not read as if replay needed --adapter', () => {
    expect(list).toMatch(/npx imflow replay <trace> \[--adapter <module>\]/);
  });
});

#!/usr/bin/env node
// Compiles the published entry points to dist/ (JavaScript and declaration files) and copies
// the HTML report's assets beside the compiled report. Plain JavaScript, so that building
// needs nothing but the TypeScript compiler.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')],
  { stdio: 'inherit' },
);
cpSync(join(root, 'report', 'assets'), join(dist, 'report', 'assets'), { recursive: true });

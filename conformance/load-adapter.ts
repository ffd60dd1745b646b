import { stat } from 'node:fs/promises';
import { extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  builtInProfiles,
  findBuiltInProfile,
  type Profile,
  ProfileError,
  parseProfile,
} from '../machines/index.ts';
import type { Adapter } from './adapter.ts';
import { declarationsProblems } from './declarations.ts';

/** An adapter module that cannot be used: missing, failing to load, or of the wrong shape. */
export class AdapterLoadError extends Error {
  override name = 'AdapterLoadError';
}

const EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * The export that holds the adapter: `export default`, or a named `adapter` export. A module
 * compiled to CommonJS (a .ts file outside an ESM package) arrives as `default`, marked
 * `__esModule`, with its exports inside.
 */
function exportedAdapter(namespace: Record<string, unknown>): unknown {
  const main = namespace.default;
  if (isRecord(main) && (main as { __esModule?: unknown }).__esModule === true) {
    return main.default ?? main.adapter;
  }
  return main ?? namespace.adapter;
}

/**
 * Checks that a value is an adapter: `name` a non-empty string, `profile` a built-in profile
 * name or a profile object, `create` a function, `declarations` (if any) sound. Throws naming
 * the first bad field (every bad declaration, when those are at fault).
 */
export function assertAdapter(value: unknown, origin: string): asserts value is Adapter {
  const fail = (what: string): never => {
    throw new AdapterLoadError(`${origin}: ${what}`);
  };
  if (!isRecord(value)) fail(`the exported adapter must be an object, got ${describe(value)}.`);
  const adapter = value as Record<string, unknown>;
  if (typeof adapter.name !== 'string' || adapter.name.trim() === '') {
    fail(
      `adapter.name must be a non-empty string (it is shown in reports), got ${describe(adapter.name)}.`,
    );
  }
  const profile = adapter.profile;
  if (typeof profile !== 'string' && (!isRecord(profile) || Array.isArray(profile))) {
    fail(
      `adapter.profile must be a built-in profile name (${builtInProfiles.map((p) => p.name).join(', ')}) or a profile object, got ${describe(profile)}.`,
    );
  }
  if (typeof adapter.create !== 'function') {
    fail(
      `adapter.create must be a function (context) => SystemUnderTest, got ${describe(adapter.create)}.`,
    );
  }
  const problems = declarationsProblems(adapter.declarations);
  if (problems.length > 0) {
    fail(
      `adapter.declarations are invalid:\n${problems.map((problem) => `  - adapter.${problem}`).join('\n')}`,
    );
  }
}

/**
 * Imports a TypeScript module through tsx, loaded only now: a run with a JavaScript adapter
 * (or the bundled one) never pays for the compiler. tsx rather than Node's own type stripping,
 * which Node 20 lacks and which refuses what tsc accepts (extensionless imports, enums,
 * parameter properties).
 */
async function importTypeScript(url: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(url, import.meta.url);
}

async function existingFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Finds the file a specifier names: as given, or with one of the supported extensions added. */
async function locate(specifier: string, cwd: string): Promise<string> {
  const absolute = isAbsolute(specifier) ? specifier : resolve(cwd, specifier);
  if (await existingFile(absolute)) return absolute;
  const tried = [absolute];
  if (!EXTENSIONS.includes(extname(absolute))) {
    for (const extension of EXTENSIONS) {
      const candidate = `${absolute}${extension}`;
      if (await existingFile(candidate)) return candidate;
    }
    tried.push(`${absolute}{${EXTENSIONS.join(',')}}`);
  }
  throw new AdapterLoadError(
    `Cannot find the adapter module "${specifier}": no file at ${tried.join(' or ')}.`,
  );
}

/**
 * Loads an adapter module by path (relative to `cwd`): TypeScript (.ts, .mts, .cts) is
 * compiled on the fly, JavaScript (.js, .mjs, .cjs) imported as is. The adapter is the
 * module's default export, or its named `adapter` export, and must have the adapter's shape.
 */
export async function loadAdapter(specifier: string, cwd = process.cwd()): Promise<Adapter> {
  if (specifier.trim() === '') throw new AdapterLoadError('The adapter module path is empty.');
  const path = await locate(specifier, cwd);
  const url = pathToFileURL(path).href;
  let namespace: Record<string, unknown>;
  try {
    namespace = TYPESCRIPT.has(extname(path)) ? await importTypeScript(url) : await import(url);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AdapterLoadError(`Cannot load the adapter module ${path}: ${message}`);
  }
  const adapter = exportedAdapter(namespace);
  if (adapter === undefined) {
    throw new AdapterLoadError(
      `${path} exports no adapter: add \`export default adapter\` (or \`export const adapter = ...\`), where adapter is { name, profile, create }.`,
    );
  }
  assertAdapter(adapter, path);
  return adapter;
}

/**
 * The profile an adapter claims: a built-in profile by name, or its profile object validated
 * (sections left out come from the profile named in `extends`).
 */
export function adapterProfile(adapter: Adapter): Profile {
  const declared: unknown = adapter.profile;
  if (typeof declared === 'string') {
    const found = findBuiltInProfile(declared);
    if (!found) {
      throw new AdapterLoadError(
        `adapter.profile is "${declared}", which is not a built-in profile; use one of ${builtInProfiles.map((p) => p.name).join(', ')}, or a profile object.`,
      );
    }
    return found;
  }
  try {
    return parseProfile(declared, 'adapter.profile');
  } catch (error) {
    if (error instanceof ProfileError) {
      throw new AdapterLoadError(
        `The adapter's profile is invalid:\n${error.issues.map((i) => `  - ${i}`).join('\n')}`,
      );
    }
    throw error;
  }
}

import {
  builtInProfiles,
  defaultProfile,
  findBuiltInProfile,
  type Profile,
  ProfileError,
  parseProfile,
} from '../machines/index.ts';
import { UsageError } from './io.ts';
import { readJsonFile } from './json-file.ts';

/**
 * Resolves `--profile`: a built-in name, `all` (every built-in), or a JSON file. Returns the
 * profiles to run, defaulting to the default profile.
 */
export async function resolveProfiles(option: unknown): Promise<Profile[]> {
  if (option === undefined || option === true) return [defaultProfile];
  if (typeof option !== 'string') throw new UsageError('--profile takes one value.');
  if (option === 'all') return [...builtInProfiles];
  const builtIn = findBuiltInProfile(option);
  if (builtIn) return [builtIn];
  if (!option.endsWith('.json')) {
    throw new UsageError(
      `Unknown profile "${option}". Use one of ${builtInProfiles.map((p) => p.name).join(', ')}, "all", or a path to a .json profile file.`,
    );
  }
  const data = await readJsonFile(option, 'profile file');
  try {
    return [parseProfile(data, option)];
  } catch (error) {
    if (error instanceof ProfileError) throw new UsageError(error.message);
    throw error;
  }
}

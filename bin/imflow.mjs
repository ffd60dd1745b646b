#!/usr/bin/env node
// The CLI is TypeScript end to end; tsx compiles it (and user adapters) on the fly, so neither
// the checkout nor an implementer needs a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// The CLI runs from the compiled JavaScript in dist/ (`npm run build`); TypeScript adapters
// are compiled on the fly when they are loaded, so implementers need no build step.
const { main } = await import('../dist/cli/main.js').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist'))
    throw error;
  process.stderr.write(
    'imflow: the compiled CLI is missing (dist/). In a clone of imflow run "npm run build" first.\n',
  );
  process.exit(2);
});
process.exitCode = await main(process.argv.slice(2));

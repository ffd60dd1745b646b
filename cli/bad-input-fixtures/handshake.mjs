// A stand-in adapter process that answers the handshake wrongly, as its argument says.
import { createInterface } from 'node:readline';

const mode = process.argv[2];
const answer = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
if (mode === 'exit') process.exit(4);
createInterface({ input: process.stdin }).on('line', (line) => {
  const { id } = JSON.parse(line);
  if (mode === 'no-profile') answer({ jsonrpc: '2.0', id, result: { name: 'x' } });
  if (mode === 'not-json') process.stdout.write('ready!\n');
  if (mode === 'wrong-id') answer({ jsonrpc: '2.0', id: id + 98, result: {} });
  if (mode === 'bad-queries')
    answer({
      jsonrpc: '2.0',
      id,
      result: { name: 'x', profile: 'basic', declarations: { queries: ['mood'] } },
    });
  if (mode === 'refuses')
    answer({ jsonrpc: '2.0', id, error: { code: -32001, message: 'licence file missing' } });
  if (mode === 'bad-profile')
    answer({ jsonrpc: '2.0', id, result: { name: 'x', profile: { timing: { remoteIdleMs: 0 } } } });
  if (mode === 'no-jsonrpc') answer({ id, result: {} });
});

// A process that exits as soon as it has read the first request and leaves a process of its
// own, holding its pipes, to answer that request and to give the reason 100 ms later.
import { spawn } from 'node:child_process';

process.stdin.once('data', (line) => {
  const { id } = JSON.parse(String(line));
  const answer = JSON.stringify({ jsonrpc: '2.0', id, result: { name: 'x', profile: 'basic' } });
  const later = `setTimeout(() => {
    process.stdout.write(${JSON.stringify(`${answer}\n`)});
    process.stderr.write('licence expired\\n');
  }, 100);`;
  spawn(process.execPath, ['-e', later], { stdio: ['ignore', 'inherit', 'inherit'] });
  process.exit(7);
});

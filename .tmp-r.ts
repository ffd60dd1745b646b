import { writeFile } from 'node:fs/promises';
import reference from './adapters/reference.ts';
import type { Adapter } from './conformance/adapter.ts';
import { runSuite } from './conformance/suite.ts';
import { defaultProfile } from './machines/index.ts';
import { renderHtmlReport } from './report/html.ts';
const EVIL = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">';
const wrong: Adapter = {
  name: 'wrong <img src=x onerror="window.__pwned=3">',
  profile: 'ucma-guide',
  async create(context) {
    let appliedAt = -1;
    const inner = await reference.create({
      ...context,
      observe: (output) => {
        if (output.channel === 'wire' && output.kind === 'composing' && output.state === 'typing' && context.clock.now() !== appliedAt) return;
        if (output.channel === 'event' && output.name === 'messageReceived') { context.observe({ ...output, body: EVIL }); return; }
        context.observe(output);
      },
    });
    return {
      apply: async (stimulus) => { appliedAt = context.clock.now(); await inner.apply(stimulus); },
      query: () => inner.query(),
      settle: () => inner.settle?.() ?? Promise.resolve(),
    };
  },
};
const t = performance.now();
const r = await runSuite({ adapter: wrong, profiles: [defaultProfile], seed: 7, runs: 10 });
const t2 = performance.now();
const html = await renderHtmlReport(r, {});
console.log(r.verdict, Math.round(t2 - t), Math.round(performance.now() - t2), html.length);
await writeFile('/tmp/imflow-scratch/report.html', html);

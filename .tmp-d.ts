import { coverageDiagram } from './report/diagram.ts';
import { createModels, defaultProfile } from './machines/index.ts';
const [flow] = createModels(defaultProfile);
const d = await coverageDiagram(flow!, { states: { total: 0, covered: 0, uncovered: ['terminated'] }, transitions: { send: 'covered', terminate: 'failed' } }, 'd0');
console.log(d.width, d.height, d.svg.length);
console.log(d.svg.slice(0, 3000));
const s = d.svg;
for (const needle of ['data-state="idle"', 'data-state="active"', 'data-transitions=']) { const i = s.indexOf(needle); console.log('----', s.slice(i - 60, i + 1200)); }

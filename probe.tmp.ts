import { writeFileSync } from 'node:fs';
import { createModels, defaultProfile } from './machines/index.ts';
import { renderDot } from './diagrams/dot.ts';
import { renderSvg } from './diagrams/svg.ts';
import { describeMachine } from './diagrams/structure.ts';
for (const m of createModels(defaultProfile)) {
  const dot = renderDot(describeMachine(m));
  writeFileSync(`/tmp/${m.id}.dot`, dot);
  writeFileSync(`/tmp/${m.id}.svg`, await renderSvg(dot));
}

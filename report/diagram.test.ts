import { describe, expect, it } from 'vitest';
import type { MachineCoverage } from '../conformance/results.ts';
import { createModels, defaultProfile, type MachineModel } from '../machines/index.ts';
import { type CoverageDiagram, coverageDiagrams, openingViewFor } from './diagram.ts';

const imFlow = createModels(defaultProfile).find((m) => m.id === 'imFlow') as MachineModel;
const mcu = createModels(defaultProfile).find((m) => m.id === 'mcuSession') as MachineModel;
const nothingCovered: MachineCoverage = {
  transitions: {},
  states: { total: 0, covered: 0, uncovered: [] },
  guards: { goals: 0, seen: 0, missing: [] },
  situations: [],
};

describe('the report diagrams of a machine', () => {
  let diagrams: CoverageDiagram[];

  it('draw every view with ids unique across views', async () => {
    diagrams = await coverageDiagrams(imFlow, nothingCovered, 'p0imFlow');
    expect(diagrams.map((d) => d.view.name)).toEqual([
      'imFlow',
      'imFlow.top-level',
      'imFlow.messaging',
      'imFlow.localComposing',
      'imFlow.remoteComposing',
    ]);
    const ids = diagrams.flatMap((d) => [...d.svg.matchAll(/<g id="([^"]+)"/g)].map((m) => m[1]));
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of diagrams.slice(1)) expect(d.width).toBeLessThan(diagrams[0]?.width ?? 0);
  });

  it('open a failure on the view with most of its step, else of its requirements, else the top level', () => {
    expect(openingViewFor(diagrams, ['local.refresh'], [])).toBe('imFlow.localComposing');
    expect(
      openingViewFor(diagrams, ['local.refresh', 'remote.refresh', 'remote.presumedIdle'], []),
    ).toBe('imFlow.remoteComposing');
    expect(openingViewFor(diagrams, [], ['receive.consumed'])).toBe('imFlow.messaging');
    expect(openingViewFor(diagrams, ['terminate'], ['receive.consumed'])).toBe('imFlow.top-level');
    expect(openingViewFor(diagrams, [], [])).toBe('imFlow.top-level');
  });

  it('open a machine without regions on its whole drawing', async () => {
    const only = await coverageDiagrams(mcu, nothingCovered, 'p0mcuSession');
    expect(only.map((d) => d.view.kind)).toEqual(['machine']);
    expect(openingViewFor(only, ['join'], [])).toBe('mcuSession');
  });
});

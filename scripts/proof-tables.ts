import { mutants } from '../mutants/catalogue.ts';
import { variants } from '../mutants/variants.ts';
import type { ReadmeSection } from './readme-sections.ts';

/**
 * The README's two catalogues side by side: the variants, legitimate behaviours the kit must
 * pass, and the mutants, bugs it must catch and name. Their results are kept by tests
 * (`mutants/variants.test.ts`, `mutants/kill.test.ts`) and printed by `npm run mutants`.
 */
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function variantsTable(): ReadmeSection {
  const rows = variants.map(
    (v) => `| \`${v.id}\` | ${v.openPoint} | ${v.profile} | ${cell(v.description)} |`,
  );
  return {
    name: 'variants',
    source: 'mutants/variants.ts',
    content: [
      `${variants.length} variants, each passing under the profile it states:`,
      '',
      '| variant | open point or option | profile | the legitimate behaviour it takes |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n'),
  };
}

export function mutantsTable(): ReadmeSection {
  const gaps = mutants.filter((m) => m.knownKitGap);
  const rows = mutants.map(
    (m) =>
      `| \`${m.id}\` | ${m.requirement} | ${m.profile}${m.strict ? ' (strict)' : ''} | ${cell(m.description)}${m.knownKitGap ? ` **Known gap:** ${cell(m.knownKitGap)}` : ''} |`,
  );
  return {
    name: 'mutants',
    source: 'mutants/catalogue.ts',
    content: [
      `${mutants.length} mutants, each killed by a report that names its requirement${gaps.length === 0 ? '' : `, except ${gaps.length} known gap${gaps.length === 1 ? '' : 's'} of the kit, described in the table (a test fails when a gap closes, so that its note goes)`}. A strict mutant departs from a should-rule and is killed under \`--strict\`:`,
      '',
      '| mutant | requirement | profile | the bug |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n'),
  };
}

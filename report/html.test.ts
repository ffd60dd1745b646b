import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { failingCases } from '../conformance/reporters/format.ts';
import {
  parseReporterNames,
  UnknownReporterError,
  withReporters,
} from '../conformance/reporters/index.ts';
import type { SuiteResult } from '../conformance/results.ts';
import {
  basicProfile,
  createModels,
  declaredStates,
  declaredTransitions,
  defaultProfile,
} from '../machines/index.ts';
import { escapeHtml, jsonForScript } from './escape.ts';
import { HTML_REPORT_FILE, htmlReporter, renderHtmlReport } from './html.ts';
import type { FailureView } from './steps.ts';
import { EVIL_BODY, EVIL_NAME, failingRun } from './test-support.ts';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('leaves no markup in the strings an adapter may send', () => {
    for (const attack of [
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(1)>',
      EVIL_BODY,
      EVIL_NAME,
    ]) {
      const escaped = escapeHtml(attack);
      expect(escaped).not.toMatch(/[<>"']/);
    }
  });
});

describe('jsonForScript', () => {
  const data = { body: EVIL_BODY, comment: '<!-- x -->', separators: 'a\u2028b\u2029c', amp: '&' };

  it('cannot end its <script> element early', () => {
    const json = jsonForScript(data);
    expect(json).not.toContain('<');
    expect(json).not.toContain('>');
    expect(json).not.toMatch(/<\/script/i);
    expect(json).toContain('\\u003cscript\\u003e');
  });

  it('is still JSON that reads back to the same data', () => {
    expect(JSON.parse(jsonForScript(data))).toEqual(data);
  });
});

describe('the HTML report of a failing run', () => {
  let result: SuiteResult;
  let html: string;

  beforeAll(async () => {
    result = await failingRun(defaultProfile, 5);
    html = await renderHtmlReport(result);
  });

  /** The embedded data, read back as the page script reads it. */
  function embedded(): { failures: FailureView[] } {
    const match = /<script type="application\/json" id="imflow-data">([\s\S]*?)<\/script>/.exec(
      html,
    );
    expect(match).not.toBeNull();
    return JSON.parse(match?.[1] ?? '{}');
  }

  it('names why a requirement is inconclusive instead of one word for every cause', () => {
    const causes = new Set(
      result.profiles.flatMap((p) => p.requirements).flatMap((v) => (v.cause ? [v.cause] : [])),
    );
    expect(causes.size).toBeGreaterThan(0);
    for (const cause of causes) {
      expect(html).toContain(
        `<span class="badge badge-inconclusive">${cause.replace('-', ' ')}</span>`,
      );
    }
    expect(html).not.toContain('<span class="badge badge-inconclusive">inconclusive</span>');
  });

  it('is a complete HTML document of a sane size', () => {
    expect(result.verdict).toBe('not-conformant');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    const size = Buffer.byteLength(html);
    expect(size).toBeGreaterThan(20_000);
    expect(size).toBeLessThan(2_000_000);
  });

  it('is self-contained: nothing is loaded from anywhere', () => {
    const attributes = [
      ...html.matchAll(/\s(?:src|href|xlink:href|action|poster|srcset)\s*=\s*["']?([^"'\s>]*)/gi),
    ];
    for (const [, value] of attributes) expect(value).not.toMatch(/^(https?:)?\/\//i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(link|iframe|object|embed|img|base)\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/<script\b[^>]*\bsrc=/i);
  });

  it('lets only its own script run (Content-Security-Policy with its hash)', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(2);
    const code = scripts.find((match) => !match[1]?.includes('application/json'));
    const hash = createHash('sha256')
      .update(code?.[2] ?? '')
      .digest('base64');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/
      .exec(html)?.[1]
      ?.replaceAll('&#39;', "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('escapes what the adapter said: its name in the header, message bodies in the data', () => {
    expect(html).toContain(escapeHtml(EVIL_NAME));
    expect(html).not.toContain('<img');
    expect(html).not.toContain('window.__pwned=1</script>');
    const bodies = JSON.stringify(embedded());
    expect(bodies).toContain(EVIL_BODY.replaceAll('"', '\\"'));
  });

  it('embeds a stepper view for every failing case, with the model states of each step', () => {
    const profile = result.profiles[0];
    if (!profile) throw new Error('no profile');
    const cases = failingCases(profile);
    const { failures } = embedded();
    expect(cases.length).toBeGreaterThan(0);
    expect(failures.map((f) => f.name)).toEqual(cases.map((c) => c.trace.name));
    for (const [index, failure] of failures.entries()) {
      const trace = cases[index]?.trace;
      expect(failure.steps).toHaveLength(trace?.steps.length ?? -1);
      expect(failure.initial.length).toBeGreaterThan(0);
      for (const step of failure.steps) expect(step.active.length).toBeGreaterThan(0);
      expect(html).toContain(`data-failure="${failure.key}"`);
    }
    // Property counterexamples come with the command that replays them.
    for (const failure of failures.filter((f) => f.origin === 'property')) {
      expect(failure.replay).toMatch(/^npx imflow check .*--path /);
    }
  });

  it('draws every state and transition of each machine with stable data attributes', () => {
    for (const machine of result.profiles[0]?.machines ?? []) {
      const model = createModels(defaultProfile).find((m) => m.id === machine.machine);
      if (!model) throw new Error(machine.machine);
      const start = html.indexOf(`id="diagram-p0${machine.machine}"`);
      const svg = html.slice(start, html.indexOf('</svg>', start));
      const states = new Set([...svg.matchAll(/data-state="([^"]+)"/g)].map((m) => m[1]));
      expect([...states].sort()).toEqual([...declaredStates(model.machine)].sort());
      for (const { meta } of declaredTransitions(model.machine)) {
        const status = machine.coverage.transitions[meta.id];
        expect(svg, meta.id).toContain(
          `data-transition="${escapeHtml(meta.id)}" data-status="${status}"`,
        );
      }
    }
  });
});

describe('the html reporter', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imflow-html-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is registered for the command line without the kit knowing it', () => {
    expect(() => parseReporterNames(['html'])).toThrow(UnknownReporterError);
    const registry = withReporters({ html: htmlReporter });
    expect(parseReporterNames(['console,html'], registry)).toEqual(['console', 'html']);
    expect(() => parseReporterNames(['pdf'], registry)).toThrow(
      /Known reporters: console, json, junit, html\./,
    );
  });

  it('writes <out>/imflow-report.html from `imflow check --reporter html`', async () => {
    const out: string[] = [];
    const io = {
      out: (t: string) => out.push(t),
      err: (t: string) => out.push(t),
      interactive: false,
    };
    const code = await main(
      [
        'check',
        '--profile',
        basicProfile.name,
        '--runs',
        '0',
        '--seed',
        '4',
        '--reporter',
        'html',
        '--out',
        dir,
      ],
      io,
    );
    expect(out.join('\n')).toContain(`wrote ${join(dir, HTML_REPORT_FILE)}`);
    expect(code).toBe(0);
    const file = join(dir, HTML_REPORT_FILE);
    expect((await stat(file)).size).toBeGreaterThan(20_000);
    const page = await readFile(file, 'utf8');
    expect(page).toContain('imflow conformance report');
    expect(page).toContain('<svg class="diagram-svg"');
  });
});

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failingCases } from '../conformance/reporters/format.ts';
import type { ReporterIo } from '../conformance/reporters/types.ts';
import type { SuiteResult } from '../conformance/results.ts';
import { stepEvents, type Trace } from '../conformance/trace.ts';
import { generateDiagrams } from '../diagrams/index.ts';
import { createModels, defaultProfile, formatOutput, type Output } from '../machines/index.ts';
import { HTML_REPORT_FILE, htmlReporter } from './html.ts';
import { EVIL_BODY, EVIL_NAME, failingRun } from './test-support.ts';

/**
 * The report of a failing run, opened in a real browser (Debian's Chromium): the diagram
 * renders, the stepper highlights the model's states step by step, and nothing the adapter
 * reported runs as code.
 */

const CHROMIUM = process.env.IMFLOW_CHROMIUM ?? '/usr/bin/chromium';
/** The one command that installs the browser this test drives (README, quick start). */
const INSTALL_BROWSER = 'sudo apt-get install --no-install-recommends chromium fonts-liberation';
const browserMissing = !existsSync(CHROMIUM);
/** Without a browser a run outside CI skips visibly, naming the command; under CI it fails. */
const skipWithoutBrowser = browserMissing && !process.env.CI;

let dir: string;
let context: BrowserContext;
let page: Page;
let result: SuiteResult;
const pageErrors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  if (skipWithoutBrowser) return;
  if (browserMissing) {
    throw new Error(
      `No browser at ${CHROMIUM}: CI must install Debian's Chromium for the report's browser test (${INSTALL_BROWSER}).`,
    );
  }
  dir = await mkdtemp(join(tmpdir(), 'imflow-browser-'));
  result = await failingRun(defaultProfile, 10);
  const io: ReporterIo = { out: () => undefined, err: () => undefined, interactive: false };
  await htmlReporter({ io, outDir: dir, reporters: ['html'] }).onRunEnd?.(result);

  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    viewport: { width: 1600, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(join(dir, HTML_REPORT_FILE)).href);
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The active states after each step, replaying the model along the trace (index 0: before). */
function expectedStates(trace: Trace): string[][] {
  const model = createModels(trace.profile).find((m) => m.id === trace.machine);
  if (!model) throw new Error(`No model ${trace.machine}`);
  let snapshot = model.initial();
  const states = [[...model.activeStates(snapshot)]];
  for (const step of trace.steps) {
    for (const event of stepEvents(step)) snapshot = model.step(snapshot, event).snapshot;
    states.push([...model.activeStates(snapshot)]);
  }
  return states;
}

const sorted = (values: readonly string[]) => [...new Set(values)].sort();

async function highlighted(prefix: string) {
  return page.evaluate((id) => {
    const viewport = document.getElementById(`diagram-${id}`) as HTMLElement;
    const attribute = (selector: string, name: string) =>
      [...viewport.querySelectorAll<HTMLElement>(selector)].map((e) => e.dataset[name] ?? '');
    return {
      states: attribute('[data-state].is-active', 'state'),
      transitions: attribute('[data-transition].is-taken', 'transition'),
    };
  }, prefix);
}

async function pwned() {
  return page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
}

/** The imFlow failing case whose failing step observed the rewritten body, and its number. */
function evilCase(): { trace: Trace; index: number; output: Output } {
  const profile = result.profiles[0];
  if (!profile) throw new Error('no profile');
  const cases = failingCases(profile).filter((c) => c.machine.machine === 'imFlow');
  for (const [index, { trace }] of cases.entries()) {
    const failing = trace.steps.find((step) => step.verdict === 'fail');
    const timed = failing?.observed.find(
      (o) => o.output.channel === 'event' && o.output.name === 'messageReceived',
    );
    if (timed) return { trace, index, output: timed.output };
  }
  throw new Error('The wrong adapter should fail on a received message.');
}

if (skipWithoutBrowser) {
  console.warn(
    `\nimflow: SKIPPING the HTML report's browser test: no browser at ${CHROMIUM}. Install Debian's Chromium: ${INSTALL_BROWSER}\n`,
  );
  describe('the HTML report in Chromium', () => {
    it(`needs Debian's Chromium at ${CHROMIUM}: ${INSTALL_BROWSER}`, (context) => {
      expect(existsSync(CHROMIUM)).toBe(false);
      context.skip(`no browser: ${INSTALL_BROWSER}`);
    });
  });
}

describe.skipIf(skipWithoutBrowser)('the HTML report in Chromium', () => {
  it('loads without errors, requests or injected code', async () => {
    expect(result.verdict).toBe('not-conformant');
    expect(pageErrors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await pwned()).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
  });

  it('renders the state diagram with its nodes, one view at a time', async () => {
    const views = page.locator('#diagram-p0imFlow .diagram-view');
    const shown = page.locator('#diagram-p0imFlow .diagram-view:not([hidden]) svg');
    await expect.poll(() => shown.isVisible()).toBe(true);
    expect(await views.count()).toBe(5);
    expect(await page.locator('#diagram-p0imFlow .diagram-view:not([hidden])').count()).toBe(1);
    const box = await shown.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(300);
    await page.locator('#p0imFlow button[data-view="imFlow"]').click();
    const whole = page.locator('#diagram-p0imFlow .diagram-view[data-view="imFlow"] svg');
    await expect.poll(() => whole.isVisible()).toBe(true);
    expect(await whole.locator('g.node[data-state]').count()).toBeGreaterThan(5);
    const node = await whole.locator('g.node[data-state="idle"]').boundingBox();
    expect(node?.width).toBeGreaterThan(0);
  });

  it('steps through a failing trace, highlighting the states the model is in', async () => {
    const { trace, index } = evilCase();
    const stepper = page.locator('.stepper[data-diagram="p0imFlow"]');
    await page.locator('#p0imFlow .failure-item').nth(index).click();
    await expect.poll(() => stepper.locator('.stepper-case').textContent()).toContain(trace.name);
    const states = expectedStates(trace);

    await stepper.locator('[data-step="first"]').click();
    expect(sorted((await highlighted('p0imFlow')).states)).toEqual(sorted(states[0] ?? []));
    for (let position = 1; position <= trace.steps.length; position++) {
      await stepper.locator('[data-step="next"]').click();
      expect(await stepper.getAttribute('data-position')).toBe(String(position));
      const shown = await highlighted('p0imFlow');
      expect(sorted(shown.states), `states after step ${position}`).toEqual(
        sorted(states[position] ?? []),
      );
      const step = trace.steps[position - 1];
      expect(sorted(shown.transitions), `transitions of step ${position}`).toEqual(
        sorted(step?.transitions ?? []),
      );
      expect(await pwned()).toBeUndefined();
    }
    expect(await stepper.locator('[data-step="next"]').isDisabled()).toBe(true);
    await expect
      .poll(() => stepper.locator('.step-position').textContent())
      .toBe(`Step ${trace.steps.length} of ${trace.steps.length}`);
  });

  it('shows the injected strings as text', async () => {
    const { index, output } = evilCase();
    await page.locator('#p0imFlow .failure-item').nth(index).click();
    const detail = page.locator('.stepper[data-diagram="p0imFlow"] .step-detail');
    await expect.poll(() => detail.textContent()).toContain(formatOutput(output));
    expect(await detail.textContent()).toContain(EVIL_BODY);
    expect(await page.locator('.page-header').textContent()).toContain(EVIL_NAME);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    expect(await pwned()).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });

  it('filters the requirement matrix by verdict', async () => {
    const matrix = page.locator('#matrix-0');
    const failing = result.profiles[0]?.requirements.filter((r) => r.verdict === 'fail') ?? [];
    expect(failing.length).toBeGreaterThan(0);
    await matrix.locator('[data-filter="fail"]').click();
    const visible = matrix.locator('tbody tr:visible');
    expect(await visible.count()).toBe(failing.length);
    expect(sorted(await visible.locator('.req-id code').allTextContents())).toEqual(
      sorted(failing.map((r) => r.requirement.id)),
    );
    await matrix.locator('[data-filter="all"]').click();
    expect(await visible.count()).toBe(result.profiles[0]?.requirements.length);
  });

  /**
   * Readable at 100 %: every diagram, in the report and in docs/diagrams, measured in the page.
   * A label's size is its computed font size times the scale the page draws it at (the SVG's
   * viewBox and any zoom, from `getScreenCTM`); its box's height is recorded beside it as a
   * check on the measure. Screenshots go to reports/screenshots/ (ignored by git).
   */
  describe('diagrams readable at 100 %', () => {
    /** Smallest label an eye should be asked to read, in CSS pixels. */
    const MIN_LABEL_PX = 11;
    /**
     * Width of the column of a GitHub page in CSS pixels (a Markdown file's view is about this
     * wide; a wider image is shrunk to fit). A smaller view must fit it to be seen at 100 %.
     */
    const GITHUB_COLUMN_PX = 880;
    const screenshots = fileURLToPath(new URL('../reports/screenshots/', import.meta.url));
    const docs = fileURLToPath(new URL('../docs/diagrams/', import.meta.url));
    const measured: Record<string, unknown>[] = [];

    beforeAll(async () => {
      await mkdir(screenshots, { recursive: true });
    });
    afterAll(async () => {
      await writeFile(join(screenshots, 'labels.json'), `${JSON.stringify(measured, null, 2)}\n`);
    });

    /** The smallest label drawn in the SVGs `selector` finds, among those on show. */
    async function labels(target: Page, selector: string) {
      return target.evaluate((query) => {
        const found = [...document.querySelectorAll(query)].flatMap((svg) => [
          ...svg.querySelectorAll('text'),
        ]);
        const shown = found.filter(
          (text) => text.getClientRects().length > 0 && (text.textContent ?? '').trim() !== '',
        );
        let smallest = { px: Number.POSITIVE_INFINITY, boxHeight: 0, text: '' };
        for (const text of shown) {
          const matrix = text.getScreenCTM();
          const scale = matrix ? Math.hypot(matrix.a, matrix.b) : 0;
          const px = Number.parseFloat(getComputedStyle(text).fontSize) * scale;
          if (px < smallest.px) {
            smallest = {
              px,
              boxHeight: text.getBoundingClientRect().height,
              text: text.textContent ?? '',
            };
          }
        }
        const box = document.querySelector(query)?.getBoundingClientRect();
        return {
          count: shown.length,
          width: Math.round(box?.width ?? 0),
          height: Math.round(box?.height ?? 0),
          ...smallest,
        };
      }, selector);
    }

    function expectReadable(
      name: string,
      found: { count: number; px: number; boxHeight: number; text: string },
    ) {
      expect(found.count, `${name}: labels on show`).toBeGreaterThan(5);
      expect(found.px, `${name}: smallest label "${found.text}"`).toBeGreaterThanOrEqual(
        MIN_LABEL_PX,
      );
      // The box of a line of text is about as high as its font (1 to 1.5 times, with leading).
      expect(found.boxHeight / found.px, `${name}: box height against font size`).toBeGreaterThan(
        0.8,
      );
      expect(found.boxHeight / found.px).toBeLessThan(1.8);
    }

    const viewport = (prefix: string) => page.locator(`#diagram-${prefix}`);
    const onShow = (prefix: string) => `#diagram-${prefix} .diagram-view:not([hidden]) svg`;

    it('opens each machine on the view of its selected failure, at 100 %, its failing step in sight', async () => {
      const data = JSON.parse((await page.locator('#imflow-data').textContent()) ?? '{}') as {
        failures: { key: string; diagram: string; view: string }[];
      };
      await page.reload();
      const prefixes = [...new Set(data.failures.map((failure) => failure.diagram))];
      expect(prefixes).toContain('p0imFlow');
      for (const prefix of prefixes) {
        const selected = await page
          .locator(`.stepper[data-diagram="${prefix}"]`)
          .getAttribute('data-failure');
        const failure = data.failures.find((candidate) => candidate.key === selected);
        expect(failure, prefix).toBeDefined();
        expect(await viewport(prefix).getAttribute('data-view')).toBe(failure?.view);
        const shownView = viewport(prefix).locator('.diagram-view:not([hidden])');
        expect(await shownView.getAttribute('data-view')).toBe(failure?.view);
        if (prefix === 'p0imFlow')
          expect(await shownView.getAttribute('data-kind')).not.toBe('machine');
        expect(await page.locator(`#${prefix} .zoom-level`).textContent()).toBe('100 %');
        const found = await labels(page, onShow(prefix));
        expectReadable(`${prefix} opening view ${failure?.view}`, found);
        // The failing step's transitions are highlighted in the view on show, and in sight.
        const taken = shownView.locator('.transition.is-taken');
        expect(await taken.count(), `${prefix}: failing step highlighted`).toBeGreaterThan(0);
        const frame = await viewport(prefix).boundingBox();
        const first = await taken.first().boundingBox();
        expect(frame && first).toBeTruthy();
        if (frame && first) {
          expect(first.x).toBeGreaterThanOrEqual(frame.x - 1);
          expect(first.x + first.width).toBeLessThanOrEqual(frame.x + frame.width + 1);
          expect(first.y).toBeGreaterThanOrEqual(frame.y - 1);
          expect(first.y + first.height).toBeLessThanOrEqual(frame.y + frame.height + 1);
        }
        const file = `report-${prefix}-opening.png`;
        await page
          .locator(`#${prefix} .diagram-panel`)
          .screenshot({ path: join(screenshots, file) });
        measured.push({ diagram: `report ${prefix} opening (${failure?.view})`, file, ...found });
      }
    });

    it('opens each failure on its own view when it is selected', async () => {
      const data = JSON.parse((await page.locator('#imflow-data').textContent()) ?? '{}') as {
        failures: { key: string; diagram: string; view: string; failingStep: number }[];
      };
      const imFlow = data.failures.filter((failure) => failure.diagram === 'p0imFlow');
      // The wrong adapter fails in two regions: received messages and Typing refreshes.
      expect(new Set(imFlow.map((failure) => failure.view))).toEqual(
        new Set(['imFlow.messaging', 'imFlow.localComposing']),
      );
      for (const failure of imFlow) {
        await page.locator(`#p0imFlow .failure-item[data-failure="${failure.key}"]`).click();
        expect(await viewport('p0imFlow').getAttribute('data-view')).toBe(failure.view);
        expect(await page.locator('#p0imFlow .zoom-level').textContent()).toBe('100 %');
        const shownView = viewport('p0imFlow').locator('.diagram-view:not([hidden])');
        if (failure.failingStep >= 0) {
          expect(await shownView.locator('.is-taken').count(), failure.key).toBeGreaterThan(0);
        }
        expectReadable(`failure ${failure.key}`, await labels(page, onShow('p0imFlow')));
      }
      const local = imFlow.find((failure) => failure.view === 'imFlow.localComposing');
      await page.locator(`#p0imFlow .failure-item[data-failure="${local?.key}"]`).click();
      const file = 'report-p0imFlow-localComposing-failure.png';
      await page.locator('#p0imFlow .diagram-panel').screenshot({ path: join(screenshots, file) });
      measured.push({
        diagram: `report p0imFlow, failure ${local?.key} selected (imFlow.localComposing)`,
        file,
        ...(await labels(page, onShow('p0imFlow'))),
      });
    });

    it('opens a machine without failures on its top level (or whole, without regions) at 100 %', async () => {
      const file = 'report-p0mcuSession-opening.png';
      expect(await viewport('p0mcuSession').getAttribute('data-view')).toBe('mcuSession');
      expect(await page.locator('#p0mcuSession .zoom-level').textContent()).toBe('100 %');
      const found = await labels(page, onShow('p0mcuSession'));
      expectReadable('p0mcuSession opening', found);
      await page
        .locator('#p0mcuSession .diagram-panel')
        .screenshot({ path: join(screenshots, file) });
      measured.push({ diagram: 'report p0mcuSession opening (mcuSession)', file, ...found });
    });

    it('shows every view of the report at 100 % when chosen, the whole machine included', async () => {
      const buttons = page.locator('#p0imFlow .views button[data-view]');
      const names = await buttons.evaluateAll((all) =>
        all.map((button) => (button as HTMLElement).dataset.view ?? ''),
      );
      expect(names).toEqual([
        'imFlow',
        'imFlow.top-level',
        'imFlow.messaging',
        'imFlow.localComposing',
        'imFlow.remoteComposing',
      ]);
      for (const name of names) {
        await page.locator(`#p0imFlow button[data-view="${name}"]`).click();
        expect(await viewport('p0imFlow').getAttribute('data-view')).toBe(name);
        expect(await page.locator('#p0imFlow .zoom-level').textContent()).toBe('100 %');
        const found = await labels(page, onShow('p0imFlow'));
        expectReadable(`report ${name}`, found);
        const file = `report-${name}.png`;
        await page
          .locator('#p0imFlow .diagram-panel')
          .screenshot({ path: join(screenshots, file) });
        measured.push({ diagram: `report ${name}`, file, ...found });
      }
      // Fit width still shrinks the whole machine to an overview, on request only.
      await page.locator('#p0imFlow button[data-view="imFlow"]').click();
      await page.locator('#p0imFlow [data-zoom="fit"]').click();
      expect(await page.locator('#p0imFlow .zoom-level').textContent()).not.toBe('100 %');
    });

    it('draws every SVG of docs/diagrams with labels of at least 11 px, the smaller views within a GitHub column', async () => {
      const files = (await generateDiagrams()).filter((file) => file.name.endsWith('.svg'));
      const wholes = new Set(createModels(defaultProfile).map((model) => `${model.id}.svg`));
      expect(files.length).toBeGreaterThan(wholes.size);
      const docsPage = await context.newPage();
      try {
        for (const file of files) {
          await docsPage.goto(pathToFileURL(join(docs, file.name)).href);
          const found = await labels(docsPage, 'svg');
          expectReadable(`docs/diagrams/${file.name}`, found);
          if (!wholes.has(file.name)) {
            expect(found.width, `${file.name} fits a GitHub column`).toBeLessThanOrEqual(
              GITHUB_COLUMN_PX,
            );
          }
          const shot = `docs-${file.name.replace(/\.svg$/, '')}.png`;
          // The whole drawing at 100 %: a window as large as the SVG.
          const size = await docsPage.evaluate(() => {
            const box = document.documentElement.getBoundingClientRect();
            return { width: Math.ceil(box.width), height: Math.ceil(box.height) };
          });
          await docsPage.setViewportSize(size);
          await docsPage.screenshot({ path: join(screenshots, shot) });
          measured.push({ diagram: `docs/diagrams/${file.name}`, file: shot, ...found });
        }
      } finally {
        await docsPage.close();
      }
    });
  });
});

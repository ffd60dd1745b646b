import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failingCases } from '../conformance/reporters/format.ts';
import type { ReporterIo } from '../conformance/reporters/types.ts';
import type { SuiteResult } from '../conformance/results.ts';
import type { Trace } from '../conformance/trace.ts';
import {
  createModels,
  defaultProfile,
  formatOutput,
  type ModelEvent,
  type Output,
} from '../machines/index.ts';
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
    for (const event of step.branch ?? [step.stimulus.type]) {
      const move = event === step.stimulus.type ? step.stimulus : ({ type: event } as ModelEvent);
      snapshot = model.step(snapshot, move).snapshot;
    }
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

  it('renders the state diagram with its nodes', async () => {
    const svg = page.locator('#diagram-p0imFlow svg');
    await expect.poll(() => svg.isVisible()).toBe(true);
    const box = await svg.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(300);
    expect(await svg.locator('g.node[data-state]').count()).toBeGreaterThan(5);
    const node = await svg.locator('g.node[data-state="idle"]').boundingBox();
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
});

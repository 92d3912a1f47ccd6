/**
 * The local console from a laptop's half width (820 px) to a wide screen (1,600 px), in Debian's
 * Chromium: the examples dropped, then at each width no header and no status badge of the jobs
 * table cut or overlapping another, the table no wider than its panel, and the selected job's
 * failure or rejection reason shown whole. Screenshots in test-output/console/.
 */
import { join } from 'node:path';
import { DescribeOptimizationJobCommand } from '@aws-sdk/client-sagemaker';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../local/stack';
import { dropExamples, type ExampleDrop } from '../../local/startup/examples';
import { launchChromium, outputFolder } from '../support/browser';
import { startTestStack, type TestStack } from '../support/local-stack';

const SHOTS = outputFolder('console');

/** What a width's layout is checked for, measured in the page. */
interface Fit {
  /** Header texts shown, left to right. */
  headers: string[];
  /** Headers and cells whose text is wider than their box, or runs past it. */
  clipped: string[];
  /** Pairs of headers whose texts overlap. */
  overlapping: string[];
  /** Status badges not wholly inside their cell. */
  cutBadges: string[];
  /** How much wider the table is than its panel, and the page than the window (≤ 0: not). */
  tableOverflow: number;
  pageOverflow: number;
}

/**
 * The page's own objects, as far as the functions run in it use them: the tests are compiled
 * without the DOM library, and these declarations stay in this file.
 */
interface Box {
  left: number;
  right: number;
}
interface PageElement {
  tagName: string;
  textContent: string | null;
  offsetParent: unknown;
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  getBoundingClientRect(): Box;
  closest(selector: string): PageElement | null;
}
declare const document: {
  querySelectorAll(selector: string): Iterable<PageElement>;
  getElementById(id: string): PageElement | null;
  createRange(): { selectNodeContents(node: PageElement): void; getBoundingClientRect(): Box };
  documentElement: PageElement;
};
declare const window: { innerWidth: number };
declare function requestAnimationFrame(callback: () => void): number;

/** Runs in the page: resolves once a frame has been laid out (and resize observers have run) twice. */
const twoFrames = () =>
  new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));

/** Runs in the page: measures the jobs table's layout. */
function measureFit(): Fit {
  const shown = (e: PageElement) => e.offsetParent !== null;
  const textBox = (e: PageElement) => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return range.getBoundingClientRect();
  };
  const label = (e: PageElement) => `${e.tagName.toLowerCase()} "${e.textContent}"`;
  const headers = [...document.querySelectorAll('#jobs thead th')].filter(shown);
  const cells = [...document.querySelectorAll('#jobs-body td')].filter(shown);
  const clipped = [...headers, ...cells].filter((e) => {
    const box = e.getBoundingClientRect();
    const text = textBox(e);
    return e.scrollWidth > e.clientWidth || text.left < box.left - 0.5 || text.right > box.right + 0.5;
  });
  const overlapping: string[] = [];
  headers.forEach((a, i) => {
    const next = headers[i + 1];
    if (next && textBox(a).right > textBox(next).left) overlapping.push(`${label(a)} / ${label(next)}`);
  });
  const cutBadges = [...document.querySelectorAll('#jobs-body .status')].filter((badge) => {
    const cell = badge.closest('td');
    if (!cell || !shown(cell)) return false;
    const b = badge.getBoundingClientRect();
    const c = cell.getBoundingClientRect();
    return b.left < c.left || b.right > c.right || cell.scrollWidth > cell.clientWidth;
  });
  const table = document.getElementById('jobs') as PageElement;
  const panel = document.getElementById('jobs-view') as PageElement;
  return {
    headers: headers.map((h) => h.textContent ?? ''),
    clipped: clipped.map(label),
    overlapping,
    cutBadges: cutBadges.map(label),
    tableOverflow: table.getBoundingClientRect().right - panel.getBoundingClientRect().right,
    pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}

describe('the local console from 820 to 1,600 px wide', () => {
  let t: TestStack;
  let browser: Browser;
  let page: Page;
  let drops: ExampleDrop[];

  const row = (jobName: string) => page.locator(`#jobs-body tr[data-id="${jobName}"]`);
  const drop = (expect: ExampleDrop['expect']) => drops.find((d) => d.expect === expect) as ExampleDrop;
  const measure = () => page.evaluate(measureFit);

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestStack();
    page = await browser.newPage({ viewport: { width: 820, height: 1000 } });
    page.setDefaultTimeout(10_000);
    drops = await dropExamples(t.s3, t.stack.bucket, join(PROJECT_ROOT, 'examples'));
    await page.goto(`${t.stack.endpoint}/_local/console`);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('at 820 px, cuts no header or status badge and keeps the job, its status, duration and last event', {
    timeout: 120_000,
  }, async () => {
    // Real time: the stack's clock runs at ×200, and the jobs take minutes of it.
    const outcomes = { Completed: 'completed', Failed: 'failed', Rejected: 'rejected' } as const;
    for (const d of drops) {
      await expect
        .poll(() => row(d.jobName).getAttribute('data-outcome'), { timeout: 60_000 })
        .toBe(outcomes[d.expect]);
    }
    // The failed job's SageMaker status comes a moment after its event.
    await expect.poll(() => row(drop('Failed').jobName).locator('.status').textContent()).toBe('FAILED');
    const at820 = await measure();
    expect(at820).toMatchObject({ clipped: [], overlapping: [], cutBadges: [] });
    expect(Math.max(at820.tableOverflow, at820.pageOverflow)).toBeLessThanOrEqual(0);
    expect(at820.headers).toEqual(expect.arrayContaining(['Job', 'Status', 'Duration', 'Last event']));
    await page.locator('#jobs-view').screenshot({ path: join(SHOTS, 'jobs-820.png') });
  });

  it("at 820 px, shows the failed job's reason whole, as SageMaker gives it, and the rejected drop's", async () => {
    const failed = drop('Failed').jobName;
    const described = await t.sageMaker.send(
      new DescribeOptimizationJobCommand({ OptimizationJobName: failed }),
    );
    const failureReason = described.FailureReason ?? '';
    // Long enough that a table cell or an events line would cut it at this width.
    expect(failureReason.length).toBeGreaterThan(100);

    await row(failed).click();
    const reason = page.locator('#reason');
    await expect.poll(() => reason.locator('.reason-text').textContent()).toBe(failureReason);
    expect(await reason.isVisible()).toBe(true);
    expect(await reason.locator('h3').textContent()).toContain(failed);
    expect(await reason.evaluate(wholeInView)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'console-820.png'), fullPage: true });

    const rejected = drop('Rejected').jobName;
    const event = t
      .events()
      .find((e) => e['detail-type'] === 'Model Upload Rejected' && e.detail.jobName === rejected);
    const errors = (event?.detail.errors ?? []) as { path: string; message: string }[];
    expect(errors.length).toBeGreaterThan(0);
    await row(rejected).click();
    await expect
      .poll(() => reason.locator('.reason-text').allTextContents())
      .toEqual(errors.map((e) => `${e.path}: ${e.message}`));
    expect(await reason.evaluate(wholeInView)).toBe(true);
  });

  it('between, gives up columns in the shared order (Drop, then Tracking), cutting nothing', async () => {
    const labels = ['Drop', 'Job', 'Status', 'Tracking', 'Duration', 'Last event'];
    const layouts = [labels, labels.slice(1), labels.filter((l) => l !== 'Drop' && l !== 'Tracking')];
    const seen = new Map<number, string[]>();
    for (const width of [800, 960, 1100, 1199, 1200, 1280, 1440]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.evaluate(twoFrames);
      const fit = await measure();
      expect({ width, ...fit }).toMatchObject({ width, clipped: [], overlapping: [], cutBadges: [] });
      expect(Math.max(fit.tableOverflow, fit.pageOverflow)).toBeLessThanOrEqual(0);
      expect(layouts).toContainEqual(fit.headers);
      seen.set(width, fit.headers);
      await page.locator('#jobs-view').screenshot({ path: join(SHOTS, `jobs-${width}.png`) });
    }
    // The widths do narrow the table: not every one shows every column.
    expect(new Set([...seen.values()].map((h) => h.length)).size).toBeGreaterThan(1);
  });

  it('at 1,600 px, shows every column, cut nowhere, and the reason whole', async () => {
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.evaluate(twoFrames);
    await row(drop('Failed').jobName).click();
    const at1600 = await measure();
    expect(at1600.headers).toEqual(['Drop', 'Job', 'Status', 'Tracking', 'Duration', 'Last event']);
    expect(at1600).toMatchObject({ clipped: [], overlapping: [], cutBadges: [] });
    expect(Math.max(at1600.tableOverflow, at1600.pageOverflow)).toBeLessThanOrEqual(0);
    expect(await page.locator('#reason').evaluate(wholeInView)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'console-1600.png'), fullPage: true });
  });
});

/** Runs in the page: the element and its text are shown, none of it scrolled away or past the window. */
function wholeInView(element: PageElement): boolean {
  const box = element.getBoundingClientRect();
  return (
    element.offsetParent !== null &&
    element.scrollWidth <= element.clientWidth &&
    element.scrollHeight <= element.clientHeight &&
    box.left >= 0 &&
    box.right <= document.documentElement.clientWidth
  );
}

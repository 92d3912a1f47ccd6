/**
 * The local console's jobs table with a drop of two variants, in Debian's Chromium at 820 px:
 * one group row (the drop's job name, WAITING then SETTLED, Variants Settled) with the two
 * variants' rows under it, and nothing wider than the page. Screenshot in test-output/console/.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, outputFolder } from '../support/browser';
import { runCli } from '../support/cli';
import { startTestStack, type TestStack } from '../support/local-stack';

const SHOTS = outputFolder('console');
const TINY_LLM = new URL('../../examples/tiny-llm/', import.meta.url).pathname;
const MANIFEST = {
  techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'awq' } } }],
  variants: [
    { name: 'awq-g5', deploymentInstanceType: 'ml.g5.12xlarge' },
    { name: 'fp8-g6e', deploymentInstanceType: 'ml.g6e.12xlarge' },
  ],
};

describe('the local console, a drop with variants', () => {
  let t: TestStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestStack();
    page = await browser.newPage({ viewport: { width: 820, height: 900 } });
    page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('shows the variants as a group under the drop, settled, readable at 820 px', {
    timeout: 120_000,
  }, async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'mop-console-variants-')), 'console-variants');
    cpSync(TINY_LLM, folder, { recursive: true });
    writeFileSync(join(folder, 'optimization.json'), JSON.stringify(MANIFEST));
    const dropped = await runCli(['drop', folder, '--json'], t.stack.clientEnv);
    expect(dropped.code).toBe(0);
    const dropJob: string = dropped.json.jobName;
    const [awq, fp8] = dropped.json.variants.map((v: { jobName: string }) => v.jobName);

    await page.goto(`${t.stack.endpoint}/_local/console`);
    const group = page.locator(`#jobs-body tr.group[data-id="${dropJob}"]`);
    await expect
      .poll(() => group.locator('td[data-column="status"]').textContent(), { timeout: 60_000 })
      .toBe('SETTLED');
    await expect
      .poll(() => group.locator('td[data-column="lastEvent"]').textContent())
      .toBe('Variants Settled');

    // The group row, then its variants in manifest order, each naming its variant and job.
    const ids = await page
      .locator('#jobs-body tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    expect(ids).toEqual([dropJob, awq, fp8]);
    const variants = page.locator('#jobs-body tr.variant');
    expect(await variants.locator('td[data-column="drop"]').allTextContents()).toEqual([
      '↳ awq-g5',
      '↳ fp8-g6e',
    ]);
    expect(await variants.locator('td[data-column="status"]').allTextContents()).toEqual([
      'COMPLETED',
      'COMPLETED',
    ]);
    expect(await group.locator('td[data-column="job"]').textContent()).toBe(`${dropJob} · 2 variants`);

    // Nothing wider than the window: the table gives up columns to fit, the page does not scroll sideways.
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);

    // Selecting the group scopes the events to the drop: both variants' and the Settled event.
    await group.click();
    await page.locator('#scope-job').check();
    await expect
      .poll(() => page.locator('#events-list .type').allTextContents(), { timeout: 10_000 })
      .toContain('Model Optimization Variants Settled');
    await page.locator('#jobs-view').screenshot({ path: join(SHOTS, 'variants-group-820.png') });
  });
});

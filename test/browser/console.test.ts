/**
 * The local console in a real browser (Debian's Chromium): a test stack on a random port, the
 * examples dropped as `npm start` drops them, the page driven as a person would. Each view is
 * screenshotted into test-output/console/.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAPPY_PATH } from '../../harness/tracker-on-local-aws';
import { adminClient } from '../../local/admin/admin-client';
import { compilePattern } from '../../local/eventbridge/pattern-matcher';
import { PROJECT_ROOT } from '../../local/stack';
import { dropExamples, type ExampleDrop } from '../../local/startup/examples';
import { launchChromium, outputFolder } from '../support/browser';
import { startTestStack, type TestStack } from '../support/local-stack';

const SHOTS = outputFolder('console');
/** A name that resolves to the stack only inside this browser: a DNS-rebinding page's view. */
const REBOUND_HOST = 'rebound.test';

describe('the local console', () => {
  let t: TestStack;
  let browser: Browser;
  let page: Page;
  let drops: ExampleDrop[];

  const consoleUrl = () => `${t.stack.endpoint}/_local/console`;
  const row = (jobName: string) => page.locator(`#jobs-body tr[data-id="${jobName}"]`);
  const drop = (name: string) => drops.find((d) => d.name === name) as ExampleDrop;
  const shot = (view: string, file: string) => page.locator(view).screenshot({ path: join(SHOTS, file) });

  beforeAll(async () => {
    // First: without Chromium the file fails at once, naming the install command.
    browser = await launchChromium([`--host-resolver-rules=MAP ${REBOUND_HOST} 127.0.0.1`]);
    t = await startTestStack({
      // Jobs run long enough (6 s real at ×200) for polls to come before the end however slowly
      // the check function loads, so CheckJob's retry loop has a count to show.
      sageMaker: { durations: { startingSeconds: 30, inProgressSeconds: 1200, stoppingSeconds: 20 } },
      // Eight polls per execution: a job that long continues in a second execution.
      functionEnvironment: {
        TRACKING_FIRST_POLL_DELAY_SECONDS: '20',
        TRACKING_POLL_INTERVAL_SECONDS: '20',
        TRACKING_POLLS_PER_EXECUTION: '8',
      },
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // A step that cannot happen should fail the test with its locator, well before vitest's timeout.
    page.setDefaultTimeout(10_000);
    drops = await dropExamples(t.s3, t.stack.bucket, join(PROJECT_ROOT, 'examples'));
    await page.goto(consoleUrl());
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('shows every example drop reaching the outcome it is built for', async () => {
    const expected = { Completed: 'completed', Failed: 'failed', Rejected: 'rejected' } as const;
    for (const d of drops) {
      await expect
        .poll(() => row(d.jobName).getAttribute('data-outcome'), { timeout: 30_000 })
        .toBe(expected[d.expect]);
    }
    await expect
      .poll(() =>
        row(drop('a model without config.json').jobName).locator('td[data-column="status"]').textContent(),
      )
      .toBe('FAILED');
    await expect
      .poll(() =>
        row(drop('tiny-llm as a .tar.gz').jobName).locator('td[data-column="status"]').textContent(),
      )
      .toBe('COMPLETED');
    expect(
      await row(drop('a bad manifest').jobName).locator('td[data-column="lastEvent"]').textContent(),
    ).toBe('Upload Rejected');
    await shot('#jobs-view', 'jobs.png');
  });

  it('draws the path a completed job took, its polls counted on CheckJob, ending in PutTerminalEvent', async () => {
    await row(drop('tiny-llm as a .tar.gz').jobName).click();
    const graph = page.locator('svg.graph[data-outcome="completed"]');
    await graph.waitFor();

    const taken = await graph
      .locator('g.state.taken')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));
    expect(taken).toEqual(expect.arrayContaining([...HAPPY_PATH, '(end)']));
    expect(taken).not.toContain('PutRejectedEvent');
    expect(taken).not.toContain('StopJob');
    // Past eight polls the tracking continued in a new execution, which goes straight to CheckJob.
    const jobName = drop('tiny-llm as a .tar.gz').jobName;
    expect(taken).toContain('ContinueTracking');
    expect(await graph.locator('g.edge.taken[data-from="WhichExecution"][data-to="CheckJob"]').count()).toBe(
      1,
    );
    expect(await page.locator('#state-detail li').allTextContents()).toEqual(
      expect.arrayContaining([`${jobName}: SUCCEEDED`, `${jobName}-c1: SUCCEEDED`]),
    );
    expect(await graph.locator('g.state[data-state="PutTerminalEvent"]').getAttribute('class')).toContain(
      'terminal',
    );
    const polls = graph.locator('g.edge[data-kind="retry"][data-from="CheckJob"]');
    expect(Number(await polls.getAttribute('data-count'))).toBeGreaterThan(0);
    expect(await polls.textContent()).toMatch(/^polls ×\d+$/);
    await expect
      .poll(() => graph.locator('g.edge.taken[data-from="Route"][data-to="PutTerminalEvent"]').count())
      .toBe(1);

    await graph.locator('g.state[data-state="CheckJob"]').click();
    const detail = page.locator('#state-detail');
    await detail.locator('h3', { hasText: 'CheckJob' }).waitFor();
    expect(JSON.parse((await detail.locator('pre.input').last().textContent()) ?? '')).toMatchObject({
      jobName: drop('tiny-llm as a .tar.gz').jobName,
    });
    expect(JSON.parse((await detail.locator('pre.output').last().textContent()) ?? '')).toMatchObject({
      check: { Payload: { action: 'publish', detailType: 'Model Optimization Completed' } },
    });
    await shot('#graph-view', 'graph-completed.png');
  });

  it("draws the broken model's failure path in the failed style, its terminal state putting Failed", async () => {
    await row(drop('a model without config.json').jobName).click();
    const graph = page.locator('svg.graph[data-outcome="failed"]');
    await graph.waitFor();

    const terminal = graph.locator('g.state[data-state="PutTerminalEvent"]');
    expect(await terminal.getAttribute('class')).toMatch(/\btaken\b.*\bterminal\b/);
    expect(await terminal.locator('.state-note').textContent()).toBe('Optimization Failed');
    expect(await graph.locator('g.edge.taken[data-from="Route"][data-to="PutTerminalEvent"]').count()).toBe(
      1,
    );
    await shot('#graph-view', 'graph-failed.png');

    await row(drop('a bad manifest').jobName).click();
    const rejected = page.locator('svg.graph[data-outcome="rejected"]');
    await rejected.waitFor();
    const taken = await rejected
      .locator('g.state.taken')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));
    expect(taken.sort()).toEqual(['(end)', '(start)', 'PutRejectedEvent', 'WhichExecution']);
  });

  it("filters the events with the stack's pattern matcher, and shows its error for an invalid pattern", async () => {
    await page.locator('#scope-all').check();
    await page.locator('#pattern').fill('{ "detail-type": ["Model Optimization Failed"] }');
    await page.locator('#apply-pattern').click();
    await expect.poll(() => page.locator('#events-list li').count()).toBe(1);
    expect(await page.locator('#events-list li').getAttribute('data-detail-type')).toBe(
      'Model Optimization Failed',
    );

    await page
      .locator('#pattern')
      .fill('{ "detail": { "status": [{ "anything-but": ["COMPLETED", "STARTING"] }] } }');
    await page.locator('#apply-pattern').click();
    await expect
      .poll(() =>
        page
          .locator('#events-list li')
          .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-detail-type')).sort()),
      )
      .toEqual(['Model Optimization Failed', 'Model Upload Rejected']);
    await shot('#events-view', 'events.png');

    const invalid = '{ "detail-type": "Model Optimization Failed" }';
    const matcherError = (() => {
      try {
        compilePattern(JSON.parse(invalid));
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(matcherError).not.toBe('');
    await page.locator('#pattern').fill(invalid);
    await page.locator('#apply-pattern').click();
    await expect.poll(() => page.locator('#pattern-error').textContent()).toBe(matcherError);
    expect(await page.locator('#pattern-error').isVisible()).toBe(true);
    await shot('#events-view', 'events-invalid-pattern.png');
  });

  it('redrives a dead-letter queue the test filled, as model-opt redrive does', async () => {
    const dlq = [...t.stack.queues.values()].find((q) => q.name.endsWith('UploadDeadLetterQueue'));
    if (!dlq) throw new Error('no dead-letter queue in the stack');
    // A notification for an object that starts nothing: redriven, it is consumed and ignored.
    const body = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events/sqs/ignored-key.json'), 'utf8'))
      .Records[0].body;
    for (let i = 0; i < 3; i++)
      await t.sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: body }));
    await expect.poll(() => page.locator('#dlq-depth').textContent()).toBe('3');
    await shot('#queues-view', 'queues-filled.png');

    await page.locator('#redrive').click();

    await expect.poll(() => page.locator('#redrive-status').textContent()).toMatch(/^Moving 3 message/);
    await expect.poll(() => page.locator('#dlq-depth').textContent(), { timeout: 15_000 }).toBe('0');
    await t.waitForQueuesEmpty();
    expect(dlq.stats().total).toBe(0);
    await shot('#queues-view', 'queues-redriven.png');
  });

  it('uploads a folder dropped on the page through S3, manifest last, without its .git/, and the job completes', async () => {
    // tiny-llm as a clone has it: its repository beside it, with LFS's copy of the weights.
    const picked = join(mkdtempSync(join(tmpdir(), 'mop-console-')), 'tiny-llm');
    cpSync(join(PROJECT_ROOT, 'examples/tiny-llm'), picked, { recursive: true });
    mkdirSync(join(picked, '.git/lfs/objects/4f/a1'), { recursive: true });
    writeFileSync(join(picked, '.git/lfs/objects/4f/a1/4fa1c0ffee'), Buffer.alloc(2048, 7));
    writeFileSync(join(picked, '.DS_Store'), 'finder');
    const puts: string[] = [];
    const recordPut = (request: { method(): string; url(): string }) => {
      if (request.method() === 'PUT') puts.push(decodeURIComponent(new URL(request.url()).pathname));
    };
    page.on('requestfinished', recordPut);
    await page.locator('#pick-folder').setInputFiles(picked);
    await expect
      .poll(() => page.locator('#drop-status').getAttribute('class'), { timeout: 15_000 })
      .toBe('ok');
    expect(await page.locator('#drop-status').textContent()).toMatch(
      /starts the job; leaving out 2 paths, 2\.0 KiB: \.git\/ \(2\.0 KiB\), \.DS_Store \(6 B\)\.$/,
    );
    const progress = page.locator('#drop-progress');
    expect(await progress.evaluate((bar) => (bar as unknown as { value: number }).value)).toBe(
      await progress.evaluate((bar) => (bar as unknown as { max: number }).max),
    );

    page.off('requestfinished', recordPut);
    const prefix = `/${t.stack.bucket}/models/tiny-llm/`;
    const files = readdirSync(join(PROJECT_ROOT, 'examples/tiny-llm'));
    expect(puts.at(-1)).toBe(`${prefix}optimization.json`);
    expect(puts.slice(0, -1).sort()).toEqual(files.map((f) => `${prefix}${f}`).sort());
    const manifest = await t.s3.send(
      new ListObjectsV2Command({ Bucket: t.stack.bucket, Prefix: 'models/tiny-llm/optimization.json' }),
    );
    expect(manifest.Contents?.[0]?.Size).toBe(2); // `{}`: the stage's defaults, as model-opt drop sends.

    const dropped = page.locator('#jobs-body tr', {
      has: page.locator('td[data-column="drop"]', { hasText: /^models\/tiny-llm\/optimization\.json$/ }),
    });
    // While it runs, its graph marks the state the execution is in.
    await dropped.locator('td[data-column="job"]', { hasText: /^tiny-llm-/ }).click();
    await page.locator('svg.graph[data-outcome="pending"] g.state.current').waitFor();
    await shot('#graph-view', 'graph-running.png');
    await expect.poll(() => dropped.getAttribute('data-outcome'), { timeout: 30_000 }).toBe('completed');
    await shot('#drop-view', 'drop.png');
    await page.screenshot({ path: join(SHOTS, 'console.png'), fullPage: true });
    rmSync(dirname(picked), { recursive: true, force: true });
  });

  it('refuses a request from another origin or under another host name', async () => {
    const admin = adminClient(t.stack.endpoint);
    const dlq = [...t.stack.queues.values()].find((q) => q.name.endsWith('UploadDeadLetterQueue'));
    if (!dlq) throw new Error('no dead-letter queue in the stack');
    await t.sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: 'left here by the test' }));

    // A page of another origin posts to the redrive route (a form post needs no CORS preflight).
    const foreign = await serveForeignPage(`
      <script>
        window.done = fetch(${JSON.stringify(`${t.stack.endpoint}/_local/console/api/redrive`)},
          { method: 'POST', mode: 'no-cors', body: 'x', headers: { 'content-type': 'text/plain' } })
          .then(() => 'sent', (e) => String(e));
      </script>`);
    try {
      const other = await browser.newPage();
      await other.goto(foreign.url);
      expect(await other.evaluate(() => (globalThis as unknown as { done: Promise<string> }).done)).toBe(
        'sent',
      );
      await other.close();
    } finally {
      await foreign.close();
    }
    expect(dlq.stats().total).toBe(1);

    const refused = await fetch(`${t.stack.endpoint}/_local/console/api/redrive`, {
      method: 'POST',
      headers: { origin: 'http://evil.example' },
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/Origin http:\/\/evil\.example/);

    // DNS rebinding: a foreign name resolving to the stack makes a page same-origin with it.
    const rebound = await browser.newPage();
    const response = await rebound.goto(consoleUrl().replace('127.0.0.1', REBOUND_HOST));
    expect(response?.status()).toBe(403);
    await rebound.close();

    // The stack's own clients are let through: nothing above was a blanket refusal.
    expect(await admin('GET', '/_local/health')).toMatchObject({ status: 'running' });
    const own = await page.evaluate(async () => (await fetch('/_local/console/api/config')).status);
    expect(own).toBe(200);
  });
});

/** Serves one page on another loopback port: another origin, as a web page in the same browser. */
async function serveForeignPage(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><html><body>${html}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The edge's guard against web pages, from a real browser (Debian's Chromium): an S3 object that
 * is a web page cannot act as the console, and a page under a rebound host name (a foreign name
 * that resolves to 127.0.0.1) reads nothing and calls nothing.
 */
import http from 'node:http';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { startTestStack, type TestStack } from '../support/local-stack';

/** Resolves to the stack only inside this browser: DNS rebinding without DNS. */
const REBOUND_HOST = 'evil.example';

describe("the edge's guard, in a browser", () => {
  let t: TestStack;
  let browser: Browser;

  const deadLetterQueue = () => {
    const dlq = [...t.stack.queues.values()].find((q) => q.name.endsWith('UploadDeadLetterQueue'));
    if (!dlq) throw new Error('no dead-letter queue in the stack');
    return dlq;
  };
  const put = (key: string, body: string, contentType: string) =>
    t.s3.send(
      new PutObjectCommand({ Bucket: t.stack.bucket, Key: key, Body: body, ContentType: contentType }),
    );

  beforeAll(async () => {
    // First: without Chromium the file fails at once, naming the install command.
    // Chromium 142+ blocks a public, non-secure page's requests to a loopback address (Local
    // Network Access), a defence of its own that Firefox and Safari do not have: turned off, so
    // what is tested is the stack's own refusal.
    browser = await launchChromium([
      `--host-resolver-rules=MAP ${REBOUND_HOST} 127.0.0.1`,
      '--disable-features=LocalNetworkAccessChecks',
    ]);
    t = await startTestStack();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('opens a stored text/html object sandboxed: its script, which tries a redrive, never runs', async () => {
    const dlq = deadLetterQueue();
    await t.sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: 'left here by the test' }));
    // As `aws s3 sync` stores a model folder's index.html: text/html, guessed from its name.
    await put(
      'site/index.html',
      `<!doctype html><html><head><title>stored</title></head><body><script>
        document.title = 'ran';
        fetch('/_local/console/api/redrive', { method: 'POST' });
      </script></body></html>`,
      'text/html',
    );
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));

    const response = await page.goto(`${t.stack.endpoint}/${t.stack.bucket}/site/index.html`);

    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('stored');
    expect(requests.filter((url) => url.includes('/_local/'))).toEqual([]);
    expect(dlq.stats().total).toBe(1);
    expect(response?.headers()).toMatchObject({
      'content-type': 'text/html',
      'content-security-policy': 'sandbox',
      'x-content-type-options': 'nosniff',
    });
    const head = await fetch(`${t.stack.endpoint}/${t.stack.bucket}/site/index.html`, { method: 'HEAD' });
    expect(head.headers.get('content-security-policy')).toBe('sandbox');
    expect(head.headers.get('x-content-type-options')).toBe('nosniff');
    await page.close();
  });

  it('refuses a page under a rebound host name: S3 objects, listings and JSON calls by GET or POST', async () => {
    await put('site/secret.txt', 'local data', 'text/plain');
    const origin = `http://${REBOUND_HOST}:${new URL(t.stack.endpoint).port}`;

    // Navigating there: the stack answers, but not to that name.
    const page = await browser.newPage();
    const direct = await page.goto(`${origin}/${t.stack.bucket}/site/secret.txt`);
    expect(direct?.status()).toBe(403);
    expect(await direct?.text()).toMatch(new RegExp(`Host ${REBOUND_HOST}:\\d+ is not this stack's`));

    // The attacker's page, served under that name before it was rebound to 127.0.0.1: every
    // request it makes after is same-origin to the browser, and reaches the stack.
    await page.route(`${origin}/attack`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>attack</title>' }),
    );
    await page.goto(`${origin}/attack`);
    const answers = await page.evaluate(async (bucket) => {
      const call = async (path: string, init?: RequestInit) => {
        const response = await fetch(path, init);
        return { status: response.status, body: await response.text() };
      };
      const listQueues = {
        'x-amz-target': 'AmazonSQS.ListQueues',
        'content-type': 'application/x-amz-json-1.0',
      };
      return {
        object: await call(`/${bucket}/site/secret.txt`),
        listing: await call(`/${bucket}?list-type=2`),
        jsonGet: await call('/', { headers: listQueues }),
        jsonPost: await call('/', { method: 'POST', headers: listQueues, body: '{}' }),
      };
    }, t.stack.bucket);

    for (const answer of Object.values(answers)) {
      expect(answer.status).toBe(403);
      expect(answer.body).toMatch(new RegExp(`Host ${REBOUND_HOST}:\\d+ is not this stack's`));
      expect(answer.body).not.toMatch(/local data|secret\.txt|QueueUrls/);
    }
    await page.close();
  });

  it('answers a JSON-protocol call by GET 405 without dispatching it, to the stack’s own name too', async () => {
    const dlq = deadLetterQueue();
    const before = dlq.stats().total;
    const url = new URL(t.stack.endpoint);
    // A GET with a body, so the call would have all it needs if it were dispatched.
    const answer = await new Promise<{ status: number; allow: string | undefined; body: string }>(
      (resolve, reject) => {
        const request = http.request(
          {
            host: url.hostname,
            port: url.port,
            method: 'GET',
            path: '/',
            headers: {
              'x-amz-target': 'AmazonSQS.SendMessage',
              'content-type': 'application/x-amz-json-1.0',
            },
          },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => {
              body += chunk.toString();
            });
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, allow: response.headers.allow, body }),
            );
          },
        );
        request.on('error', reject);
        request.end(JSON.stringify({ QueueUrl: dlq.url, MessageBody: 'sent by a GET' }));
      },
    );

    expect(answer.status).toBe(405);
    expect(answer.allow).toBe('POST');
    expect(JSON.parse(answer.body).message).toBe(
      'AmazonSQS.SendMessage is an AWS JSON protocol call, which is POST only; GET is refused',
    );
    expect(dlq.stats().total).toBe(before);
  });
});

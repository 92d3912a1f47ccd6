/**
 * The edge keeps an idle connection open longer than a client keeps a pooled socket idle
 * between calls (local/edge/keep-alive.ts). With Node's default keep-alive (5 s, which Node
 * enforces a second late), a client that reused its pooled socket just as the edge closed it
 * failed that call with "socket hang up"; CI saw it in suites whose clients make one attempt.
 * Here, 50 real SDK clients, one attempt each, idle across the instant a default server closes
 * (about 6 s) at 2 ms steps: against the old keep-alive, two or three of them reuse their socket
 * as it closes.
 */
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KEEP_ALIVE_TIMEOUT_MS } from '../../local/edge/keep-alive';
import { type Edge, startEdge } from '../../local/edge/server';
import type { S3Service } from '../../local/s3/s3-service';

/** When a Node server with the default keep-alive (5 s) closes an idle connection. */
const DEFAULT_SERVER_CLOSES_MS = 6_000;
const CLIENTS = 50;

let edge: Edge;
beforeAll(async () => {
  edge = await startEdge({
    host: '127.0.0.1',
    port: 0,
    jsonServices: [
      {
        targetPrefix: 'AWSStepFunctions',
        contentType: 'application/x-amz-json-1.0',
        handle: async () => ({ stateMachines: [] }),
      },
    ],
    s3: {} as S3Service,
    sns: { handle: () => ({ statusCode: 404, headers: {}, body: '' }), published: [] },
    admin: async () => ({ statusCode: 404, body: {} }),
  });
});
afterAll(() => edge?.close());

it('keeps idle connections for longer than clients leave them idle', () => {
  expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThanOrEqual(60_000);
});

it(`answers ${CLIENTS} one-attempt clients that reuse a pooled socket across the old keep-alive window`, async () => {
  const outcomes = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const client = new SFNClient({
        endpoint: edge.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
        maxAttempts: 1,
      });
      try {
        await client.send(new ListStateMachinesCommand({}));
        // From 50 ms before a default server closes the socket to 48 ms after, 2 ms apart.
        await new Promise((resolve) => setTimeout(resolve, DEFAULT_SERVER_CLOSES_MS - 50 + 2 * i));
        await client.send(new ListStateMachinesCommand({}));
        return 'ok';
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      } finally {
        client.destroy();
      }
    }),
  );
  expect(outcomes.filter((outcome) => outcome !== 'ok')).toEqual([]);
}, 20_000);

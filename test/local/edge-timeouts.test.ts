/**
 * The edge's timeouts, as a client meets them over a socket: a connection that passes no byte
 * for the idle timeout is closed (a client that slept mid-upload frees what it held), and a
 * request that keeps sending is never cut, however long it takes (Node's default would cut any
 * request at 300 s: a 5 GiB PUT below 17 MiB/s). A short idle timeout stands in for ten minutes.
 */
import { once } from 'node:events';
import type http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, IDLE_TIMEOUT_MS, startEdge } from '../../local/edge/server';
import type { S3Service } from '../../local/s3/s3-service';

// The client and the edge share this process: a stall of the process longer than the gap's slack
// (idle timeout less the gap, 1.25 s) would let the edge's idle timer fire before a byte is read.
const IDLE_MS = 1_500;
let edge: Edge;
const received: number[] = [];

beforeAll(async () => {
  // An S3 that reads the whole body and answers with its length.
  const s3 = {
    handle: async (req: http.IncomingMessage, res: http.ServerResponse) => {
      let bytes = 0;
      for await (const chunk of req) bytes += (chunk as Buffer).length;
      received.push(bytes);
      res.end(String(bytes));
    },
  } as unknown as S3Service;
  edge = await startEdge({
    host: '127.0.0.1',
    port: 0,
    jsonServices: [],
    s3,
    sns: { handle: () => ({ statusCode: 404, headers: {}, body: '' }), published: [] },
    admin: async () => ({ statusCode: 404, body: {} }),
    idleTimeoutMs: IDLE_MS,
  });
});

afterAll(() => edge?.close());

/** A PUT of `chunks` bytes sent one byte at a time, `gapMs` apart; resolves with the response text, or 'closed'. */
async function trickle(chunks: number, gapMs: number): Promise<string> {
  const socket = net.connect(edge.port, '127.0.0.1');
  await once(socket, 'connect');
  let answer = '';
  socket.on('data', (data) => {
    answer += data.toString();
  });
  const closed = once(socket, 'close');
  socket.write(
    `PUT /bucket/models/slow.bin HTTP/1.1\r\nHost: 127.0.0.1:${edge.port}\r\nContent-Length: ${chunks}\r\nConnection: close\r\n\r\n`,
  );
  for (let i = 0; i < chunks && !socket.destroyed; i++) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    if (!socket.destroyed) socket.write('x');
  }
  await closed;
  return answer === '' ? 'closed' : (answer.split('\r\n\r\n')[1] ?? answer);
}

describe('the edge’s timeouts', () => {
  it('are ten minutes of silence by default, and no cap on a whole request', () => {
    expect(IDLE_TIMEOUT_MS).toBe(600_000);
  });

  it('serves a request that takes many idle timeouts to arrive, as long as bytes keep coming', async () => {
    // 24 bytes, 250 ms apart: 6 s in all, 4 × the idle timeout.
    expect(await trickle(24, IDLE_MS / 6)).toBe('24');
  });

  it('closes a connection whose client stops sending mid-body, without an answer', async () => {
    const socket = net.connect(edge.port, '127.0.0.1');
    await once(socket, 'connect');
    let answer = '';
    socket.on('data', (data) => {
      answer += data.toString();
    });
    socket.write(
      `PUT /bucket/models/stalled.bin HTTP/1.1\r\nHost: 127.0.0.1:${edge.port}\r\nContent-Length: 1000\r\n\r\nonly part of it`,
    );
    // The edge, not the client, ends it: the client never closes.
    await once(socket, 'close');
    expect(answer).toBe('');
    expect(received).not.toContain(1000);
  });
});

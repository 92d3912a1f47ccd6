import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deferMessage } from '../../src/start/defer-message';

describe('the SQS client of start-optimization', () => {
  const saved = process.env.AWS_ENDPOINT_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
  });

  it('defers a message through the configured endpoint (AWS_ENDPOINT_URL), not the queue URL host', async () => {
    const targets: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      targets.push(req.headers['x-amz-target'] as string | undefined);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { sqs } = await import('../../src/aws/sqs');

      await deferMessage(sqs, 'arn:aws:sqs:us-east-1:000000000000:uploads', 'receipt-1', 30);

      expect(targets).toEqual(['AmazonSQS.ChangeMessageVisibility']);
    } finally {
      server.close();
    }
  });
});

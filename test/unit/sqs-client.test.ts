import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requeueMessage } from '../../src/start/defer-message';

describe('the SQS client of start-optimization', () => {
  const saved = process.env.AWS_ENDPOINT_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
  });

  it('re-queues a message through the configured endpoint (AWS_ENDPOINT_URL), not the queue URL host', async () => {
    const targets: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      targets.push(req.headers['x-amz-target'] as string | undefined);
      let text = '';
      req.on('data', (chunk) => {
        text += chunk;
      });
      req.on('end', () => {
        // The SDK checks the MD5 of the body it sent.
        const md5 = createHash('md5').update(JSON.parse(text).MessageBody).digest('hex');
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ MessageId: 'm1', MD5OfMessageBody: md5 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { sqs } = await import('../../src/aws/sqs');

      await requeueMessage(sqs, 'arn:aws:sqs:us-east-1:000000000000:uploads', '{}', 30, Date.now());

      expect(targets).toEqual(['AmazonSQS.SendMessage']);
    } finally {
      server.close();
    }
  });
});

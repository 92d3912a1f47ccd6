import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Publish call the fake received. */
export interface FakePublish {
  topicArn: string;
  subject?: string;
  message: string;
  /** MessageAttributes as name → StringValue. */
  attributes: Record<string, string>;
  messageId: string;
}

export interface SnsFake {
  /** For AWS_ENDPOINT_URL_SNS. */
  url: string;
  published: FakePublish[];
  close(): Promise<void>;
}

const xml = (body: string) =>
  `<?xml version="1.0"?>\n${body.replace('>', ' xmlns="http://sns.amazonaws.com/doc/2010-03-31/">')}`;

/** `MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.StringValue=b` → { a: 'b' }. */
function attributesOf(form: URLSearchParams): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
    attributes[form.get(`MessageAttributes.entry.${i}.Name`) ?? ''] =
      form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
  }
  return attributes;
}

/**
 * A tiny SNS endpoint for tests: the AWS query protocol (`POST /`, form-encoded), `Publish`
 * only, recording each message. Any other action gets an `InvalidAction` error response.
 * To be replaced by the embedded local stack.
 */
export async function startSnsFake(): Promise<SnsFake> {
  const published: FakePublish[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const requestId = randomUUID();
      const action = form.get('Action');
      const topicArn = form.get('TopicArn');
      const message = form.get('Message');
      res.setHeader('content-type', 'text/xml');
      if (req.method !== 'POST' || action !== 'Publish' || !topicArn || message === null) {
        res.statusCode = 400;
        res.end(
          xml(
            `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the SNS fake handles Publish with TopicArn and Message only (got ${action})</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
          ),
        );
        return;
      }
      const messageId = randomUUID();
      published.push({
        topicArn,
        ...(form.has('Subject') && { subject: form.get('Subject') ?? '' }),
        message,
        attributes: attributesOf(form),
        messageId,
      });
      res.end(
        xml(
          `<PublishResponse><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    published,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

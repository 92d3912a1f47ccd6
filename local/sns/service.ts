/**
 * Local SNS (AWS query protocol): Publish to the topics serverless.yml declares. Nothing is
 * delivered to subscribers; every message is recorded, in memory and as one JSON line in the
 * log, so tests and users can read what would have been sent.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EmulatorHttpResponse } from '../protocol/aws-json';

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  time: string;
}

export interface SnsService {
  handle(params: URLSearchParams): EmulatorHttpResponse;
  published: PublishedMessage[];
}

/** Publish's limit on a message, in bytes. */
const MESSAGE_MAX_BYTES = 262_144;

const xml = (statusCode: number, body: string): EmulatorHttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
  body: `<?xml version="1.0"?>\n${body}`,
});

const escapeXml = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

const errorResponse = (statusCode: number, code: string, message: string) =>
  xml(
    statusCode,
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );

/** The SNS API over the declared topics. */
export function createSnsService(options: {
  topicArns: string[];
  logPath: string;
  now: () => Date;
  onPublish?: (message: PublishedMessage) => void;
}): SnsService {
  const topics = new Set(options.topicArns);
  const published: PublishedMessage[] = [];
  mkdirSync(dirname(options.logPath), { recursive: true });

  return {
    published,
    handle(params) {
      const action = params.get('Action');
      if (action === 'ListTopics') {
        const members = [...topics]
          .map((arn) => `<member><TopicArn>${escapeXml(arn)}</TopicArn></member>`)
          .join('');
        return xml(
          200,
          `<ListTopicsResponse><ListTopicsResult><Topics>${members}</Topics></ListTopicsResult></ListTopicsResponse>`,
        );
      }
      if (action !== 'Publish')
        return errorResponse(400, 'InvalidAction', `${action} is not supported by the local stack`);
      const topicArn = params.get('TopicArn') ?? '';
      const message = params.get('Message');
      if (!topics.has(topicArn)) return errorResponse(404, 'NotFound', `Topic does not exist: ${topicArn}`);
      if (!message) return errorResponse(400, 'InvalidParameter', 'Invalid parameter: Message');
      if (Buffer.byteLength(message) > MESSAGE_MAX_BYTES)
        return errorResponse(400, 'InvalidParameter', 'Invalid parameter: Message too long');
      const subject = params.get('Subject') ?? undefined;
      if (subject !== undefined && (subject.length > 100 || !/^[\x20-\x7e]*$/.test(subject))) {
        return errorResponse(400, 'InvalidParameter', 'Invalid parameter: Subject');
      }
      const record: PublishedMessage = {
        messageId: randomUUID(),
        topicArn,
        ...(subject !== undefined && { subject }),
        message,
        time: options.now().toISOString(),
      };
      published.push(record);
      appendFileSync(options.logPath, `${JSON.stringify(record)}\n`);
      options.onPublish?.(record);
      return xml(
        200,
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${record.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    },
  };
}

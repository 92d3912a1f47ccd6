// Writes the SQS-wrapped S3 notification samples in events/sqs/ (node scripts/make-sqs-samples.mjs).
import { writeFileSync } from 'node:fs';

const enc = (key) => encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
let n = 0;
function s3Event(key, size, { versionId, eTag } = {}) {
  n++;
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: `2026-11-20T10:0${n}:00.000Z`,
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': `EXAMPLE${n}`, 'x-amz-id-2': `EXAMPLE${n}/id2` },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'model-drops',
          bucket: {
            name: 'model-optimization-pipeline-local-models-000000000000-us-east-1',
            ownerIdentity: { principalId: 'A1EXAMPLE' },
            arn: 'arn:aws:s3:::model-optimization-pipeline-local-models-000000000000-us-east-1',
          },
          object: {
            key: enc(key),
            size,
            eTag: eTag ?? `e${n}d41d8cd98f00b204e9800998ecf84`,
            ...(versionId && { versionId }),
            sequencer: `0065A1B2C3D4E5F60${n}`,
          },
        },
      },
    ],
  };
}
function sqs(body) {
  return {
    Records: [
      {
        messageId: `1a2b3c4d-0000-4000-8000-00000000000${n}`,
        receiptHandle: `AQEBexample${n}==`,
        body: typeof body === 'string' ? body : JSON.stringify(body),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1795168800000',
          SenderId: 'AIDAEXAMPLE',
          ApproximateFirstReceiveTimestamp: '1795168800100',
        },
        messageAttributes: {},
        md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:model-optimization-pipeline-local-UploadQueue',
        awsRegion: 'us-east-1',
      },
    ],
  };
}
// The models bucket is versioned, so its notifications carry a versionId. The samples whose
// manifest the handler reads carry none (as from an unversioned bucket): the handler reads the
// version a notification names, and a fixed id here would name a version that no bucket the
// samples are invoked against has (the local bucket gives each upload a random id, as S3 does).
// The handler then reads the current manifest and names the job by the eTag.
const files = {
  'tar-gz-drop': sqs(s3Event('models/tiny-llm.tar.gz', 20480, { versionId: 'v1-tarball' })),
  'manifest-drop': sqs(s3Event('models/tiny-llm/optimization.json', 120, {})),
  'url-encoded-key': sqs(s3Event('models/my model+v2 é/optimization.json', 2, {})),
  'ignored-key': sqs(
    s3Event('models/tiny-llm/config.json', 512, { versionId: 'Kq3vX9wLz0.4bTn7RyH2cMe8pUa5dJ1f' }),
  ),
  'bad-manifest': sqs(s3Event('models/tiny-llm-bad/optimization.json', 140, {})),
};
for (const [name, event] of Object.entries(files))
  writeFileSync(`events/sqs/${name}.json`, `${JSON.stringify(event, null, 2)}\n`);

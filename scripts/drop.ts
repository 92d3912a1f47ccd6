/**
 * `npm run drop -- <file-or-folder> [--model-id ID] [--manifest FILE] [--bucket B] [--stage S]`:
 * uploads a model drop to the local stack (when AWS_ENDPOINT_URL is set) or to AWS.
 */
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { dropModel } from '../src/cli/drop';
import { findModelsBucket } from '../src/cli/find-bucket';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'model-id': { type: 'string' },
    manifest: { type: 'string' },
    bucket: { type: 'string' },
    stage: { type: 'string', default: process.env.AWS_ENDPOINT_URL ? 'local' : 'dev' },
  },
});
const [path] = positionals;
if (!path) {
  console.error(
    'usage: npm run drop -- <file.tar.gz | folder> [--model-id ID] [--manifest FILE] [--bucket B] [--stage S]',
  );
  process.exit(2);
}
const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });
try {
  const bucket = await findModelsBucket(s3, values.stage ?? 'dev', values.bucket);
  const result = await dropModel({
    s3,
    bucket,
    path,
    modelId: values['model-id'],
    manifestPath: values.manifest,
    onProgress: (p) => {
      const pct = p.dropTotal ? Math.floor((100 * p.dropLoaded) / p.dropTotal) : 100;
      process.stderr.write(
        `\r${String(pct).padStart(3)}%  ${p.dropLoaded}/${p.dropTotal} bytes  ${p.key}`.padEnd(100),
      );
    },
  });
  process.stderr.write('\n');
  console.log(
    `dropped ${result.uploadedKeys.length} object(s) into s3://${bucket}/ (trigger: ${result.triggerKey})`,
  );
  console.log(`job: ${result.jobName}`);
} catch (error) {
  console.error(`drop failed: ${(error as Error).message}`);
  process.exit(1);
}

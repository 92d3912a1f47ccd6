/**
 * The example drops `npm start` makes: a good `.tar.gz`, a good folder with a manifest, a bad
 * manifest, and a model whose job fails. Each resolves to the key whose notification starts it.
 */

import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { dropModel } from '../src/cli/drop';
import { tarGzFolder } from '../src/cli/tarball';
import { jobNameFor, uploadedVersion } from '../src/job/job-name';

export interface ExampleDrop {
  name: string;
  triggerKey: string;
  jobName: string;
  expect: 'Completed' | 'Failed' | 'Rejected';
}

/** Uploads the four examples from `examplesDir` into `bucket`. */
export async function dropExamples(
  s3: S3Client,
  bucket: string,
  examplesDir: string,
): Promise<ExampleDrop[]> {
  const tarball = await tarGzFolder(join(examplesDir, 'tiny-llm'));
  const tarballResult = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'models/tiny-llm.tar.gz', Body: tarball }),
  );
  const drops: ExampleDrop[] = [
    {
      name: 'tiny-llm as a .tar.gz',
      triggerKey: 'models/tiny-llm.tar.gz',
      jobName: jobNameFor('tiny-llm', {
        bucket,
        key: 'models/tiny-llm.tar.gz',
        version: uploadedVersion(tarballResult),
      }),
      expect: 'Completed',
    },
  ];
  const folder = async (
    name: string,
    path: string,
    modelId: string,
    manifest: string,
    expect: ExampleDrop['expect'],
  ) => {
    const result = await dropModel({
      s3,
      bucket,
      path: join(examplesDir, path),
      modelId,
      manifestPath: join(examplesDir, 'manifests', manifest),
    });
    drops.push({ name, triggerKey: result.triggerKey, jobName: result.jobName, expect });
  };
  await folder(
    'tiny-llm as a folder',
    'tiny-llm',
    'tiny-llm-folder',
    'quantize-and-compile.json',
    'Completed',
  );
  await folder('a bad manifest', 'tiny-llm', 'tiny-llm-bad-manifest', 'invalid.json', 'Rejected');
  await folder('a model without config.json', 'broken-model', 'broken-model', 'defaults.json', 'Failed');
  return drops;
}

/**
 * The example drops `npm start` makes: a good `.tar.gz`, a good folder with a manifest, a bad
 * manifest, and a model whose job fails. Each resolves to the key whose notification starts it.
 */

import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { dropModel } from '../../src/client';

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
  const tarball = await dropModel({
    s3,
    bucket,
    path: join(examplesDir, 'tiny-llm'),
    modelId: 'tiny-llm',
    tar: true,
    resume: false,
  });
  const drops: ExampleDrop[] = [
    {
      name: 'tiny-llm as a .tar.gz',
      triggerKey: tarball.triggerKey,
      jobName: tarball.jobName,
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
      // The broken example has no config.json on purpose: its job shows the failure path.
      allowMissingConfig: true,
      resume: false,
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

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../local/sagemaker/job-record';
import { JobStateFile, loadJobs } from '../../local/sagemaker/state-file';

const job = (name: string, status: JobRecord['status']) =>
  ({ request: { OptimizationJobName: name }, arn: `arn:${name}`, status }) as unknown as JobRecord;

describe('the SageMaker emulator state file', () => {
  it('has every change on disk at once, before any snapshot (a kill -9 loses nothing answered)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mop-jobs-')), 'jobs.json');
    const jobs = new Map<string, JobRecord>();
    const file = new JobStateFile(path, () => jobs.values());

    for (const [name, status] of [
      ['a', 'STARTING'],
      ['b', 'STARTING'],
      ['a', 'INPROGRESS'],
    ] as const) {
      jobs.set(name, job(name, status));
      file.changed(job(name, status));
    }
    jobs.delete('b');
    file.deleted('b');

    expect(loadJobs(path).map((j) => [j.request.OptimizationJobName, j.status])).toEqual([
      ['a', 'INPROGRESS'],
    ]);
  });

  it('folds the journal into one snapshot file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mop-jobs-')), 'jobs.json');
    const jobs = [job('a', 'COMPLETED')];
    const file = new JobStateFile(path, () => jobs);
    file.changed(jobs[0] as JobRecord);

    file.compact();

    expect(existsSync(`${path}.journal`)).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8')).jobs).toHaveLength(1);
  });
});

/**
 * Real drops and the events they end in, seen from outside the stack: a drop is a PUT of a
 * small model through the S3 API; what it became is read from the stack's events log. Shared by
 * the repeated-crash test (test/clients) and `npm run bench:clients`; imports nothing from test/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { tarGzFolder } from '../../src/cli/tarball';
import { jobNameFor } from '../../src/job/job-name';

const TINY_LLM = new URL('../../examples/tiny-llm/', import.meta.url).pathname;
const STARTED = 'Model Optimization Started';
const TERMINAL = new Set([
  'Model Optimization Completed',
  'Model Optimization Failed',
  'Model Optimization Stopped',
  'Model Upload Rejected',
]);

/** A drop the stack acknowledged (200 with an ETag), and the job it names. */
export interface AcknowledgedDrop {
  key: string;
  jobName: string;
}

let tarball: Promise<Buffer> | undefined;

/** The good model every drop uploads (examples/tiny-llm as a .tar.gz). */
export function modelTarball(): Promise<Buffer> {
  tarball ??= tarGzFolder(TINY_LLM);
  return tarball;
}

/**
 * Uploads `models/<modelId>.tar.gz`. Resolves with the drop once S3 acknowledged it; rejects
 * when the PUT failed (the stack was down, or went down mid-request).
 */
export async function putDrop(s3: S3Client, bucket: string, modelId: string): Promise<AcknowledgedDrop> {
  const key = `models/${modelId}.tar.gz`;
  const result = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: await modelTarball() }),
  );
  const eTag = result.ETag?.replace(/"/g, '');
  if (!eTag) throw new Error(`PUT ${key} was answered without an ETag`);
  return { key, jobName: jobNameFor(modelId, { bucket, key, version: eTag }) };
}

/** Per job: how many Started and how many terminal (Completed, Failed, Stopped, Rejected) events. */
export interface EventTally {
  started: Map<string, number>;
  terminal: Map<string, number>;
  /** Every job name with an event. */
  jobs: Set<string>;
}

/** Reads the events log at `path` and counts each job's events. */
export function tallyEvents(path: string): EventTally {
  const tally: EventTally = { started: new Map(), terminal: new Map(), jobs: new Set() };
  if (!existsSync(path)) return tally;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const event = JSON.parse(line) as { 'detail-type': string; detail: { jobName?: string } };
    const job = event.detail.jobName;
    if (!job) continue;
    tally.jobs.add(job);
    const counts =
      event['detail-type'] === STARTED
        ? tally.started
        : TERMINAL.has(event['detail-type'])
          ? tally.terminal
          : undefined;
    counts?.set(job, (counts.get(job) ?? 0) + 1);
  }
  return tally;
}

/** What the exactly-once contract forbids, one line per job; empty when it holds. */
export function exactlyOnceProblems(tally: EventTally, acknowledged: AcknowledgedDrop[]): string[] {
  const problems: string[] = [];
  for (const drop of acknowledged) {
    const started = tally.started.get(drop.jobName) ?? 0;
    const terminal = tally.terminal.get(drop.jobName) ?? 0;
    if (started !== 1 || terminal !== 1)
      problems.push(`${drop.key} (${drop.jobName}): ${started} Started, ${terminal} terminal`);
  }
  // A PUT cut short by a kill may still have stored its object: its job is not owed an event,
  // but it must not have two.
  const owed = new Set(acknowledged.map((d) => d.jobName));
  for (const job of tally.jobs) {
    if (owed.has(job)) continue;
    const started = tally.started.get(job) ?? 0;
    const terminal = tally.terminal.get(job) ?? 0;
    if (started > 1 || terminal > 1)
      problems.push(`${job} (unacknowledged PUT): ${started} Started, ${terminal} terminal`);
  }
  return problems;
}

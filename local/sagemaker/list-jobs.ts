/**
 * ListOptimizationJobs: filters, sort and pagination. A NextToken is an opaque cursor (the sort
 * key of the last job returned), so jobs created or deleted between pages neither repeat nor
 * shift the pages that follow.
 */
import { createHash } from 'node:crypto';
import type { ListOptimizationJobsResponse } from '@aws-sdk/client-sagemaker';
import { validationError } from '../protocol/aws-error';
import { type JobRecord, jobName, optimizationTypes, summarizeJob } from './job-record';
import type { ListQuery } from './request-rules';

type SortKey = [primary: number | string, name: string];

interface Cursor {
  /** Fingerprint of the filters and sort the token was issued for. */
  q: string;
  k: SortKey;
}

function sortKey(job: JobRecord, sortBy: ListQuery['sortBy']): SortKey {
  const name = jobName(job).toLowerCase();
  if (sortBy === 'Name') return [name, name];
  if (sortBy === 'Status') return [job.status, name];
  return [job.creationTime, name];
}

const compareValues = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareKeys(a: SortKey, b: SortKey, order: ListQuery['sortOrder']): number {
  const result = compareValues(a[0], b[0]) || compareValues(a[1], b[1]);
  return order === 'Descending' ? -result : result;
}

function fingerprint(query: ListQuery): string {
  const { nextToken: _token, maxResults: _max, ...rest } = query;
  const canonical = JSON.stringify(Object.entries(rest).sort(([a], [b]) => compareValues(a, b)));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

const INVALID_TOKEN = 'The NextToken is invalid or was issued for a different request.';

function decodeCursor(token: string, query: ListQuery): SortKey {
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw validationError(INVALID_TOKEN);
  }
  const valid =
    cursor !== null &&
    typeof cursor === 'object' &&
    cursor.q === fingerprint(query) &&
    Array.isArray(cursor.k) &&
    cursor.k.length === 2 &&
    typeof cursor.k[1] === 'string';
  if (!valid) throw validationError(INVALID_TOKEN);
  return cursor.k;
}

const encodeCursor = (key: SortKey, query: ListQuery): string =>
  Buffer.from(JSON.stringify({ q: fingerprint(query), k: key } satisfies Cursor)).toString('base64url');

function matchesFilters(job: JobRecord, query: ListQuery): boolean {
  const lower = (text: string) => text.toLowerCase();
  return (
    (query.creationTimeAfter === undefined || job.creationTime > query.creationTimeAfter) &&
    (query.creationTimeBefore === undefined || job.creationTime < query.creationTimeBefore) &&
    (query.lastModifiedTimeAfter === undefined || job.lastModifiedTime > query.lastModifiedTimeAfter) &&
    (query.lastModifiedTimeBefore === undefined || job.lastModifiedTime < query.lastModifiedTimeBefore) &&
    (query.nameContains === undefined || lower(jobName(job)).includes(lower(query.nameContains))) &&
    (query.statusEquals === undefined || job.status === query.statusEquals) &&
    (query.optimizationContains === undefined ||
      optimizationTypes(job.request).some((type) =>
        lower(type).includes(lower(query.optimizationContains as string)),
      ))
  );
}

/** One page of ListOptimizationJobs over `jobs`. */
export function listJobs(jobs: Iterable<JobRecord>, query: ListQuery): ListOptimizationJobsResponse {
  const after = query.nextToken === undefined ? undefined : decodeCursor(query.nextToken, query);
  const matching = [...jobs]
    .filter((job) => matchesFilters(job, query))
    .map((job) => ({ job, key: sortKey(job, query.sortBy) }))
    .filter(({ key }) => after === undefined || compareKeys(key, after, query.sortOrder) > 0)
    .sort((a, b) => compareKeys(a.key, b.key, query.sortOrder));
  const page = matching.slice(0, query.maxResults);
  const last = page.at(-1);
  return {
    OptimizationJobSummaries: page.map(({ job }) => summarizeJob(job)),
    ...(matching.length > page.length && last ? { NextToken: encodeCursor(last.key, query) } : {}),
  };
}

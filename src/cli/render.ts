/** Human renderings of jobs: one line, a table, a status page. */

import type { DropProgress } from '../client/follow-drop';
import type { JobSummary } from '../client/job-list';
import type { JobView } from '../client/job-view';
import type { Outcome } from '../client/tracking';
import { type DropGroup, isDropGroup, type ListEntry } from '../client/variant-groups';
import { droppingColumns, fitTable } from '../terminal/fit-table';
import { dropIndexes, JOB_COLUMN_LABELS, TERMINAL_JOB_COLUMNS } from '../terminal/job-columns';
import { formatDuration, formatTime, shortEvent } from '../text-format';

/** `name  STATUS  elapsed  last event`, for the live view of one job. */
export function jobLine(view: JobView): string {
  return [
    view.jobName,
    view.status.padEnd(10),
    `elapsed ${formatDuration(view.elapsedSeconds)}`.padEnd(16),
    `last event: ${shortEvent(view.lastEvent)}`,
  ].join('  ');
}

/** What a job line says, less the elapsed time: a live view prints a new line when this changes. */
export const jobIdentity = (view: JobView): string => `${view.jobName} ${view.status} ${view.lastEvent}`;

/** A summary's identity, likewise. */
export const summaryIdentity = (job: JobSummary): string =>
  `${job.jobName} ${job.status} ${job.tracking} ${job.lastEvent}`;

/** The identities of the rows {@link entryRows} gives, likewise. */
export const entryIdentities = (entries: ListEntry[]): string[] =>
  entries.flatMap((entry) =>
    isDropGroup(entry)
      ? [`${entry.dropJobName} ${entry.settle}`, ...entry.variants.map(summaryIdentity)]
      : [summaryIdentity(entry)],
  );

/** The one-line verdict `watch` prints when a job is over. */
export function outcomeLine(view: JobView): string {
  const base = `${view.jobName}: ${view.outcome ?? 'Unknown'} after ${formatDuration(view.elapsedSeconds)}`;
  if (view.outcome === 'Completed') {
    const model = view.output?.sageMakerModel ? `, model ${view.output.sageMakerModel}` : '';
    return `${base}, output ${view.output?.s3Uri ?? '-'}${model}`;
  }
  const reason = view.failureReason ? `: ${view.failureReason}` : '';
  return `${base}${reason}${view.note ? ` (${view.note})` : ''}`;
}

/** Column headers of the job tables (`list`, `watch` without a job). */
export const JOB_TABLE_HEADERS = TERMINAL_JOB_COLUMNS.map((id) => JOB_COLUMN_LABELS[id].toUpperCase());

/** Table rows of job summaries (`list`, `watch` without a job). */
export function jobRows(jobs: JobSummary[]): string[][] {
  return jobs.map((job) => [
    job.jobName,
    job.status,
    formatDuration(job.durationSeconds),
    formatTime(job.createdAt),
    job.tracking ?? '-',
    shortEvent(job.lastEvent),
    job.techniques.join(',') || '-',
  ]);
}

/**
 * Table rows of list entries: a drop with variants is a row naming the drop's job name, model
 * and settle state (SETTLED, or WAITING while variants run), then one indented row per variant.
 */
export function entryRows(entries: ListEntry[]): string[][] {
  return entries.flatMap((entry) => (isDropGroup(entry) ? groupRows(entry) : jobRows([entry])));
}

function groupRows(group: DropGroup): string[][] {
  const width = Math.max(...group.variants.map((v) => v.variant.length));
  const shown =
    group.variants.length === group.variantCount
      ? `${group.variantCount} variants`
      : `${group.variants.length} of ${group.variantCount} variants`;
  const head = [
    `${group.dropJobName} (${group.modelId ?? 'model ?'}, ${shown})`,
    group.settle.toUpperCase(),
    '-',
    formatTime(group.createdAt),
    '-',
    shortEvent(group.lastEvent),
    '-',
  ];
  const rows = jobRows(group.variants).map((row, i) => {
    const variant = group.variants[i]?.variant ?? '';
    return [`  ${variant.padEnd(width)}  ${row[0]}`, ...row.slice(1)];
  });
  return [head, ...rows];
}

/** Which job-table columns a narrow terminal gives up first (src/terminal/job-columns.ts). */
export const JOB_TABLE_DROP_ORDER = dropIndexes(TERMINAL_JOB_COLUMNS);

/** The job table as lines that fit `columns` (docs/cli.md: how it narrows). */
export function jobTable(entries: ListEntry[], columns: number): string[] {
  return fitTable(
    droppingColumns({ headers: JOB_TABLE_HEADERS, rows: entryRows(entries) }, JOB_TABLE_DROP_ORDER),
    columns,
  );
}

/** The page `status` prints. */
export function statusPage(view: JobView): string {
  const lines: string[] = [];
  const field = (label: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') lines.push(`${`${label}:`.padEnd(16)}${value}`);
  };
  field('job', view.jobName);
  field('status', view.outcome ? `${view.status} (${view.outcome})` : view.status);
  field('elapsed', formatDuration(view.elapsedSeconds));
  field('last event', view.lastEvent);
  if (view.note) field('note', view.note);
  lines.push('', 'source');
  field('  model', view.source.modelId);
  field('  s3', view.source.s3Uri);
  field('  registered', view.source.sageMakerModel);
  field('  trigger', view.source.key);
  field('  version', view.source.versionId ?? (view.source.eTag && `eTag ${view.source.eTag}`));
  lines.push('', 'settings');
  field('  instance', view.settings.deploymentInstanceType);
  field('  techniques', view.settings.techniques.join(', '));
  field('  max runtime', formatDuration(view.settings.maxRuntimeInSeconds));
  const env = Object.entries(view.settings.environment);
  if (env.length > 0) field('  environment', env.map(([k, v]) => `${k}=${v}`).join(' '));
  lines.push('', 'timeline (UTC)');
  for (const entry of view.timeline) lines.push(`  ${formatTime(entry.at)}  ${entry.what}`);
  if (view.output) {
    lines.push('', 'output');
    field('  s3', view.output.s3Uri);
    field('  image', view.output.recommendedInferenceImage);
    field('  model', view.output.sageMakerModel);
  }
  if (view.failureReason) lines.push('', `failure reason: ${view.failureReason}`);
  lines.push('', 'tracking executions');
  if (view.tracking.executions.length === 0) lines.push('  (none)');
  for (const e of view.tracking.executions) {
    lines.push(`  ${e.name}  ${e.status}${e.error ? `  ${e.error}` : ''}`);
  }
  return lines.join('\n');
}

/** The live lines of a drop with variants: the drop, then one line per variant. */
export function dropLines(progress: DropProgress): string[] {
  const width = Math.max(0, ...progress.variants.map((v) => v.name.length));
  const ended = progress.variants.filter((v) => v.outcome).length;
  const head = progress.settled
    ? `${progress.dropJobName}  settled`
    : `${progress.dropJobName}  waiting: ${ended} of ${progress.variants.length} variants ended`;
  return [
    head,
    ...progress.variants.map(
      (v) => `  ${v.name.padEnd(width)}  ${v.view ? jobLine(v.view) : `${v.jobName}  waiting for the job…`}`,
    ),
  ];
}

/** What the drop lines say, less elapsed times. */
export const dropIdentities = (progress: DropProgress): string[] => [
  `${progress.dropJobName} ${progress.settled} ${progress.variants.filter((v) => v.outcome).length}`,
  ...progress.variants.map((v) => `${v.name} ${v.view ? jobIdentity(v.view) : 'waiting'}`),
];

/** The verdict `watch` prints when a drop with variants is settled (or given up on). */
export function dropVerdict(progress: DropProgress, outcome: Outcome, reason?: string): string {
  if (reason) return `${progress.dropJobName}: ${reason}`;
  const counts = new Map<string, number>();
  for (const v of progress.variants)
    counts.set(v.outcome ?? 'Unknown', (counts.get(v.outcome ?? 'Unknown') ?? 0) + 1);
  const tally = [...counts].map(([o, n]) => `${n} ${o}`).join(', ');
  return `${progress.dropJobName}: settled, ${progress.variants.length} variants (${tally}); outcome ${outcome}`;
}

/**
 * The columns of the job tables, one definition for the terminal's (`list`, `watch` without a
 * job) and the local console's page: their labels, and the order in which a narrow view gives
 * them up. Pure data: the browser page imports it too.
 */

/** A column of a job table. */
export type JobColumnId =
  | 'drop'
  | 'job'
  | 'status'
  | 'duration'
  | 'created'
  | 'tracking'
  | 'lastEvent'
  | 'techniques';

/** What each column is called (the terminal writes it in capitals). */
export const JOB_COLUMN_LABELS: Readonly<Record<JobColumnId, string>> = {
  drop: 'Drop',
  job: 'Job',
  status: 'Status',
  duration: 'Duration',
  created: 'Created',
  tracking: 'Tracking',
  lastEvent: 'Last event',
  techniques: 'Techniques',
};

/**
 * The columns a narrow view gives up, first given up first. A column not named here is always
 * shown: the job, its status, its duration and its last event are what a job table is for.
 */
export const JOB_COLUMN_DROP_ORDER: readonly JobColumnId[] = ['techniques', 'created', 'drop', 'tracking'];

/** The terminal's job table, in the order it prints them. */
export const TERMINAL_JOB_COLUMNS = [
  'job',
  'status',
  'duration',
  'created',
  'tracking',
  'lastEvent',
  'techniques',
] as const satisfies readonly JobColumnId[];

/** The console page's jobs table, in the order it shows them. */
export const CONSOLE_JOB_COLUMNS = [
  'drop',
  'job',
  'status',
  'tracking',
  'duration',
  'lastEvent',
] as const satisfies readonly JobColumnId[];

/** A column of the console page's jobs table. */
export type ConsoleJobColumn = (typeof CONSOLE_JOB_COLUMNS)[number];

/** The indexes in `columns` of those a narrow view gives up, in the order it gives them up. */
export function dropIndexes(columns: readonly JobColumnId[]): number[] {
  return JOB_COLUMN_DROP_ORDER.map((id) => columns.indexOf(id)).filter((index) => index >= 0);
}

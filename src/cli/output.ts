/**
 * Where the CLI writes. stdout carries the result: human text, or with `--json` exactly one
 * JSON document. Progress, live views and notes go to stderr, so `--json` output stays clean.
 */

import { droppingColumns, fitTable } from '../terminal/fit-table';
import { exitCodeOfError } from './errors';
import { tsv } from './format';

/** The streams of one command run and how it writes to them. */
export interface Output {
  json: boolean;
  /** Whether stdout is a terminal: tables there, tab-separated lines otherwise. */
  tty: boolean;
  /** Whether stderr is a terminal: live views and progress bars there, plain lines otherwise. */
  errTty: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** The command's result: `data` as JSON with --json, else what `human` prints. */
  result(data: unknown, human: () => void): void;
  /** A line of human output on stdout (nothing with --json). */
  line(text?: string): void;
  /** A note on stderr. */
  note(text: string): void;
  /**
   * Rows as a table on a terminal, tab-separated lines otherwise. With `dropOrder`, a table
   * wider than the terminal gives up those columns (indexes) in turn until it fits.
   */
  rows(headers: string[], rows: string[][], options?: { dropOrder?: number[] }): void;
  /** Reports an error: on stderr, and with --json also as `{ "error": … }` on stdout. */
  error(error: unknown): void;
}

/** The output for the process's streams. */
export function createOutput(options: {
  json: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const tty = Boolean(stdout.isTTY);
  const out: Output = {
    json: options.json,
    tty,
    errTty: Boolean(stderr.isTTY),
    stdout,
    stderr,
    result(data, human) {
      if (options.json) stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      else human();
    },
    line(text = '') {
      if (!options.json) stdout.write(`${text}\n`);
    },
    note(text) {
      stderr.write(`${text}\n`);
    },
    rows(headers, rows, { dropOrder = [] } = {}) {
      if (!tty) return out.line(tsv(headers, rows));
      const columns = stdout.columns || Number.POSITIVE_INFINITY;
      out.line(fitTable(droppingColumns({ headers, rows }, dropOrder), columns).join('\n'));
    },
    error(error) {
      const e = error as { name?: string; message?: string; exitCode?: number };
      const message = e?.message ?? String(error);
      stderr.write(`model-opt: ${message}\n`);
      if (exitCodeOfError(error) === undefined && process.env.MODEL_OPT_DEBUG)
        stderr.write(`${(error as Error).stack}\n`);
      if (options.json) {
        stdout.write(`${JSON.stringify({ error: { name: e?.name ?? 'Error', message } }, null, 2)}\n`);
      }
    },
  };
  return out;
}

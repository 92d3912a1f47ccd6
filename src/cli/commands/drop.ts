import { Command, InvalidArgumentError } from 'commander';
import { DROP_DEFAULTS, type DropResult, dropModel } from '../../client/drop-upload';
import { planLocalDrop } from '../../client/local-drop';
import { MIB } from '../../client/part-size';
import { DEFAULT_LEFT_OUT, describeLeftOut } from '../../drop/drop-filter';
import { formatBytes } from '../../text-format';
import type { Output } from '../output';
import { uploadProgress } from '../progress';
import { runCommand } from '../run-command';

interface DropOptions {
  modelId?: string;
  manifest?: string;
  bucket?: string;
  tar?: boolean;
  gzipLevel: number;
  allowMissingConfig?: boolean;
  resume: boolean;
  concurrency: number;
  partSize: number;
  include?: string[];
  exclude?: string[];
}

/** A commander parser that collects a repeatable option's values. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A commander parser for an integer option within [min, max]. */
const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
  return n;
};

/** `model-opt drop <file-or-folder>`: upload a drop (concurrent, resumable), trigger last. */
export function dropCommand(): Command {
  return new Command('drop')
    .description(
      'upload a model (.tar.gz or folder, its manifest last) and print the job it starts; a re-run sends only what is not in place yet',
    )
    .argument('<file-or-folder>', 'a .tar.gz file, or a model folder')
    .option('--model-id <id>', 'model id (default: the file name without .tar.gz, or the folder name)')
    .option(
      '--manifest <file>',
      'manifest for a folder drop (default: the folder’s optimization.json, else {})',
    )
    .option('--bucket <name>', 'models bucket (default: found by name for the stage)')
    .option('--tar', 'pack the folder into one .tar.gz object as it is sent (no temporary archive)')
    .option(
      '--gzip-level <n>',
      'gzip level of --tar: 0 stores, 9 compresses most',
      integer(0, 9),
      DROP_DEFAULTS.gzipLevel,
    )
    .option(
      '--exclude <pattern>',
      `leave out what this gitignore pattern matches, besides ${DEFAULT_LEFT_OUT.join(', ')} and what the folder’s .modelignore names (repeatable)`,
      collect,
    )
    .option(
      '--include <pattern>',
      'send what this gitignore pattern matches even so, e.g. --include .git/ (repeatable; wins over every other rule)',
      collect,
    )
    .option('--allow-missing-config', 'drop a folder without config.json (its job will fail)')
    .option('--no-resume', 'send every file and every part, even those already in place')
    .option('--concurrency <n>', 'requests in flight', integer(1, 64), DROP_DEFAULTS.concurrency)
    .option(
      '--part-size <MiB>',
      'multipart part size in MiB (memory: concurrency × part size)',
      integer(5, 5120),
      DROP_DEFAULTS.partSize / MIB,
    )
    .action(async (path: string, options: DropOptions, command: Command) =>
      runCommand(
        command,
        async ({ clients, discovery, out }) => {
          const local = {
            path,
            ...(options.modelId && { modelId: options.modelId }),
            ...(options.manifest && { manifestPath: options.manifest }),
            tar: Boolean(options.tar),
            allowMissingConfig: Boolean(options.allowMissingConfig),
            include: options.include ?? [],
            exclude: options.exclude ?? [],
          };
          // Bad input, an incompatible manifest included, is refused before any request: the
          // bucket search is one.
          const planned = planLocalDrop(local);
          const bucket = await discovery.bucket();
          // Ctrl-C: the bar is marked, and the drop stops itself (below) rather than the process.
          const progress = uploadProgress(out, Date.now, { endOnCtrlC: false });
          // Ctrl-C stops the drop cleanly. One Ctrl-C may arrive twice (`npm run drop`: from the
          // terminal, and relayed by npm), so the handler stays until the drop has stopped: a
          // repeat finds it and changes nothing, where Node's default would kill the process
          // before it says what is in place. Ctrl-\ (SIGQUIT) still quits at once.
          const interrupt = new AbortController();
          const onSigint = () => interrupt.abort(new Error('interrupted (SIGINT)'));
          process.on('SIGINT', onSigint);
          const result = await dropModel({
            s3: clients.s3,
            bucket,
            ...local,
            planned,
            gzipLevel: options.gzipLevel,
            resume: options.resume,
            concurrency: options.concurrency,
            partSize: options.partSize * MIB,
            signal: interrupt.signal,
            onPlanned: ({ leftOut }) => {
              const leaving = describeLeftOut(leftOut);
              if (leaving) out.note(leaving);
            },
            onProgress: (p) => progress.update(p),
          }).finally(() => {
            process.off('SIGINT', onSigint);
            progress.stop();
          });
          out.result({ bucket, ...result }, () => printResult(out, bucket, result));
          return 0;
        },
        { ...(options.bucket && { bucket: options.bucket }) },
      ),
    );
}

function printResult(out: Output, bucket: string, result: DropResult): void {
  const count = result.uploadedKeys.length;
  if (result.alreadyDropped) {
    out.line(
      `already dropped: all ${count} object(s), ${formatBytes(result.bytes)}, are in s3://${bucket}/ with the same size and checksum, ${result.triggerKey} included; nothing was sent`,
    );
  } else {
    out.line(
      `dropped ${count} object(s), ${formatBytes(result.bytes)}, into s3://${bucket}/ (trigger: ${result.triggerKey})`,
    );
    if (result.skippedKeys.length > 0)
      out.line(
        `  sent ${result.sentKeys.length} (${formatBytes(result.sentBytes)}); ${result.skippedKeys.length} already in place (${formatBytes(result.skippedBytes)}) were not sent again`,
      );
    if (result.resumedParts > 0)
      out.line(
        `  continued the open uploads an interrupted drop left: ${result.resumedParts} part(s) (${formatBytes(result.resumedBytes)}) were in place and not sent again`,
      );
  }
  if (result.variants) {
    out.line(`drop: ${result.jobName}, ${result.variants.length} variants:`);
    const width = Math.max(...result.variants.map((v) => v.name.length));
    for (const v of result.variants) out.line(`  ${v.name.padEnd(width)}  job: ${v.jobName}`);
  } else {
    out.line(`job: ${result.jobName}`);
  }
  out.line(`follow it: model-opt watch ${result.jobName}`);
}

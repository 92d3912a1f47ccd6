import { Command } from 'commander';
import { dropModel } from '../drop';
import { formatBytes } from '../format';
import { uploadProgress } from '../progress';
import { runCommand } from '../run-command';

interface DropOptions {
  modelId?: string;
  manifest?: string;
  bucket?: string;
}

/** `model-opt drop <file-or-folder>`: upload a drop (multipart, with progress), manifest last. */
export function dropCommand(): Command {
  return new Command('drop')
    .description('upload a model (.tar.gz or folder, its manifest last) and print the job it starts')
    .argument('<file-or-folder>', 'a .tar.gz file, or a model folder')
    .option('--model-id <id>', 'model id (default: the file name without .tar.gz, or the folder name)')
    .option(
      '--manifest <file>',
      'manifest for a folder drop (default: the folder’s optimization.json, else {})',
    )
    .option('--bucket <name>', 'models bucket (default: found by name for the stage)')
    .action(async (path: string, options: DropOptions, command: Command) =>
      runCommand(
        command,
        async ({ clients, discovery, out }) => {
          const bucket = await discovery.bucket();
          const progress = uploadProgress(out);
          const result = await dropModel({
            s3: clients.s3,
            bucket,
            path,
            ...(options.modelId && { modelId: options.modelId }),
            ...(options.manifest && { manifestPath: options.manifest }),
            onProgress: (p) => progress.update(p),
          }).finally(() => progress.stop());
          out.result({ bucket, ...result }, () => {
            out.line(
              `dropped ${result.uploadedKeys.length} object(s), ${formatBytes(result.bytes)}, into s3://${bucket}/ (trigger: ${result.triggerKey})`,
            );
            out.line(`job: ${result.jobName}`);
            out.line(`follow it: model-opt watch ${result.jobName}`);
          });
          return 0;
        },
        { ...(options.bucket && { bucket: options.bucket }) },
      ),
    );
}

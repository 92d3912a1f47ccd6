/**
 * `model-opt`: the pipeline's lifecycle from the command line. The commands are thin: each
 * parses its options and calls plain functions of src/cli/ with SDK clients.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { dropCommand } from './commands/drop';
import { listCommand } from './commands/list';
import { redriveCommand } from './commands/redrive';
import { statusCommand } from './commands/status';
import { stopCommand } from './commands/stop';
import { watchCommand } from './commands/watch';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const TARGETS = `
Targets:
  With AWS_ENDPOINT_URL set, the local stack (\`npm start\`; any credentials), stage "local".
  Otherwise AWS through the standard credential chain (--profile, AWS_PROFILE, …), stage "dev".

Exit codes:
  0 ok / Completed   1 Failed   2 Stopped   3 Rejected, unknown job, or no outcome
  4 usage, connection, credential or missing-resource error`;

/** The program with every command. */
export function buildProgram(): Command {
  const program = new Command('model-opt')
    .description('drop models into the optimization pipeline and follow their jobs')
    .version(version)
    .option('--profile <name>', 'AWS profile (default: the standard credential chain)')
    .option('--region <region>', 'AWS region (default: AWS_REGION, the profile’s, or us-east-1 locally)')
    .option('--stage <stage>', 'pipeline stage (default: local with AWS_ENDPOINT_URL, else dev)')
    .option('--json', 'print one JSON document on stdout (errors too), nothing else')
    .addHelpText('after', TARGETS)
    .showHelpAfterError('(model-opt --help for usage)');
  for (const command of [
    dropCommand(),
    watchCommand(),
    listCommand(),
    statusCommand(),
    stopCommand(),
    redriveCommand(),
  ]) {
    program.addCommand(command.showHelpAfterError(`(model-opt ${command.name()} --help for usage)`));
  }
  return program;
}

import { Command } from 'commander';
import { viewJob } from '../../client/job-view';
import { statusPage } from '../render';
import { runCommand } from '../run-command';

/** `model-opt status <job>`: everything known about one job. */
export function statusCommand(): Command {
  return new Command('status')
    .description('everything known about one job: source, settings, timeline, output or failure reason')
    .argument('<job>', 'job name')
    .action(async (jobName: string, _options: unknown, command: Command) =>
      runCommand(command, async ({ clients, discovery, now, out }) => {
        const view = await viewJob(clients, await discovery.stateMachineArn(), jobName, now);
        out.result(view, () => out.line(statusPage(view)));
        return 0;
      }),
    );
}

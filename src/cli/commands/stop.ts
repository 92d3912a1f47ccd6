import { Command } from 'commander';
import { followJob } from '../../client/follow-job';
import { stopJob } from '../../client/job-stop';
import { exitCodeOf } from '../errors';
import { liveView } from '../live';
import { jobIdentity, jobLine, outcomeLine } from '../render';
import { runCommand } from '../run-command';
import { seconds } from './options';

interface StopOptions {
  wait?: boolean;
  interval?: number;
}

/** `model-opt stop <job>`: stop a running job; the pipeline then emits Stopped. */
export function stopCommand(): Command {
  return new Command('stop')
    .description('stop a running job; the pipeline then emits Model Optimization Stopped')
    .argument('<job>', 'job name')
    .option('--wait', 'wait for the Stopped event, then exit as `watch` does (2 for Stopped)')
    .option('--interval <seconds>', 'with --wait: seconds between polls', seconds)
    .action(async (jobName: string, options: StopOptions, command: Command) =>
      runCommand(command, async (session) => {
        const { clients, discovery, out } = session;
        const stopped = await stopJob(clients.sageMaker, jobName);
        if (!options.wait) {
          out.result(stopped, () =>
            out.line(
              stopped.requested
                ? `stopping ${jobName} (was ${stopped.previousStatus}); the pipeline emits Model Optimization Stopped once SageMaker reports STOPPED. Follow it: model-opt watch ${jobName}`
                : `${jobName} is already stopping; follow it: model-opt watch ${jobName}`,
            ),
          );
          return 0;
        }
        const live = liveView(out);
        const result = await followJob({
          sageMaker: clients.sageMaker,
          sfn: clients.sfn,
          stateMachineArn: await discovery.stateMachineArn(),
          jobName,
          now: session.now,
          intervalMs: (options.interval ?? (session.target.local ? 1 : 5)) * 1000,
          appearTimeoutMs: 0,
          onUpdate: (view) => live.show([jobLine(view)], [jobIdentity(view)]),
        }).finally(() => live.done());
        const exitCode = exitCodeOf(result.outcome);
        out.result(
          { ...stopped, outcome: result.outcome, exitCode, ...(result.view && { job: result.view }) },
          () =>
            out.line(
              result.view ? outcomeLine(result.view) : `${jobName}: ${result.reason ?? result.outcome}`,
            ),
        );
        return exitCode;
      }),
    );
}

import { Command } from 'commander';
import { listDeadLetters, moveDeadLetters } from '../../client/dlq-redrive';
import { formatTime } from '../../text-format';
import { runCommand } from '../run-command';
import { positiveInteger } from './options';

interface RedriveOptions {
  dryRun?: boolean;
  max: number;
}

/** `model-opt redrive`: move the upload DLQ's messages back to the upload queue. */
export function redriveCommand(): Command {
  return new Command('redrive')
    .description('move dead-lettered upload messages back to the upload queue (StartMessageMoveTask)')
    .option('--dry-run', 'list the messages (object key, receive count, reason) without moving them')
    .option('--max <n>', 'with --dry-run: list at most this many', positiveInteger, 100)
    .action(async (options: RedriveOptions, command: Command) =>
      runCommand(command, async ({ clients, discovery, out }) => {
        const queues = await discovery.queues();
        if (options.dryRun) {
          const listing = await listDeadLetters(clients.sqs, queues.deadLetterQueueUrl, options.max);
          out.result({ dryRun: true, deadLetterQueueUrl: queues.deadLetterQueueUrl, ...listing }, () => {
            out.line(`${listing.approximateCount} message(s) in ${queues.deadLetterQueueUrl}`);
            if (listing.messages.length > 0) {
              out.rows(
                ['MESSAGE', 'RECEIVES', 'SENT', 'REASON', 'KEY'],
                listing.messages.map((m) => [
                  m.messageId,
                  String(m.receiveCount),
                  formatTime(m.sentAt),
                  m.reason ?? '-',
                  m.objects.map((o) => o.key).join(' ') || m.body || '-',
                ]),
              );
              out.line('dry run: nothing moved; `model-opt redrive` moves them back to the upload queue');
            }
          });
          return 0;
        }
        const moved = await moveDeadLetters(clients.sqs, {
          deadLetterQueueUrl: queues.deadLetterQueueUrl,
          deadLetterQueueArn: await discovery.queueArn(queues.deadLetterQueueUrl),
          uploadQueueArn: await discovery.queueArn(queues.uploadQueueUrl),
        });
        out.result({ dryRun: false, ...queues, ...moved }, () =>
          out.line(
            moved.taskHandle
              ? `moving ${moved.approximateCount} message(s) back to ${queues.uploadQueueUrl} (task ${moved.taskHandle})`
              : `the dead-letter queue is empty: nothing to move`,
          ),
        );
        return 0;
      }),
    );
}

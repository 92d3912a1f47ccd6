import { toIssues } from '../drop/issues';
import { MalformedEventError } from '../errors';
import { type PipelineEvent, pipelineEventSchema } from '../events/contract';

/**
 * Validates an EventBridge event against the contract: the envelope (source, detail-type) and
 * the detail of that detail-type. Unknown fields are dropped, so later minor versions parse.
 * @throws MalformedEventError listing every problem with its JSONPath (`$.detail.jobArn`).
 */
export function parsePipelineEvent(event: unknown): PipelineEvent {
  const parsed = pipelineEventSchema.safeParse(event);
  if (!parsed.success) throw new MalformedEventError(toIssues(parsed.error));
  return parsed.data;
}

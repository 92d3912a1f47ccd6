/** Wiring step: the SNS topics, which record what is published. */
import { join } from 'node:path';
import { createSnsService, type SnsService } from '../sns/service';
import type { Wiring } from './wiring';

export function wireSns(w: Wiring): SnsService {
  return createSnsService({
    topicArns: w.description.topics.map((t) => t.arn),
    logPath: join(w.dataDir, 'sns.jsonl'),
    now: w.now,
    onPublish: (m) => w.emit({ kind: 'sns', at: w.clock.now(), topicArn: m.topicArn, subject: m.subject }),
  });
}

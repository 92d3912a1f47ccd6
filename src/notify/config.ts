/**
 * The notify-on-outcome function's own configuration, read once at cold start. It needs none
 * of start-optimization's variables.
 */
import * as z from 'zod';
import { ConfigError } from '../errors';

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

const envSchema = z.object({
  NOTIFY_TOPIC_ARN: z
    .string({ error: 'is not set (sls invoke local needs it in the environment)' })
    .regex(TOPIC_ARN, 'must be an SNS topic ARN, arn:aws:sns:<region>:<account>:<name>'),
});

export interface NotifyConfig {
  /** Where the summaries are published. */
  topicArn: string;
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadNotifyConfig(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'} ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return { topicArn: parsed.data.NOTIFY_TOPIC_ARN };
}

/**
 * The drops with variants among listed jobs. Each such drop has one settle execution chain
 * (`<drop's job name>-variants`, then `-variants-c1`, …) whose input names its variants and
 * their jobs (src/job/tracking-input.ts, settleInputSchema): `list` finds the chains in the
 * ListExecutions it already made, and describes only the first execution of each chain that
 * started within the listing's window, one DescribeExecution per drop shown.
 */
import { DescribeExecutionCommand, type ExecutionListItem, type SFNClient } from '@aws-sdk/client-sfn';
import { executionArnFor } from '../execution-arn';
import { settleExecutionName } from '../job/job-name';
import type { JobSummary } from './job-list';

/** `<drop>-variants` and its continuations `<drop>-variants-c<n>`. */
const SETTLE_NAME = /^(.+)-variants(?:-c\d+)?$/;

/** One variant as the settle input names it (manifest order). */
export interface VariantRef {
  name: string;
  jobName: string;
  deploymentInstanceType?: string;
}

/** A drop with variants: its settle chain's input and where the chain is. */
export interface DropVariants {
  dropJobName: string;
  modelId?: string;
  variants: VariantRef[];
  /** When the chain's first execution started. */
  startedAt?: string;
  /** The chain's latest execution status: RUNNING while it waits, SUCCEEDED once Settled was put. */
  settleStatus: string;
}

/** `settled` once the Settled event was put, `waiting` while the variants run, else the chain's failure. */
export type SettleState = 'settled' | 'waiting' | 'failed' | 'timed-out' | 'aborted';

/** A variant's row: its job's summary and its name. */
export type VariantSummary = JobSummary & { variant: string };

/** A drop with variants as `list` shows it: one entry, its variants' jobs within. */
export interface DropGroup {
  dropJobName: string;
  modelId?: string;
  settle: SettleState;
  /** The Settled event, once put; absent while waiting. */
  lastEvent?: string;
  createdAt?: string;
  /** The variants the listing holds, manifest order (filters or the limit may leave some out). */
  variants: VariantSummary[];
  /** How many variants the drop has in all. */
  variantCount: number;
}

/** One entry of `list`: a plain job, or a drop with variants. */
export type ListEntry = JobSummary | DropGroup;

export const isDropGroup = (entry: ListEntry): entry is DropGroup => 'variants' in entry;

/** The settle state a chain's latest execution status stands for. */
export function settleStateOf(status: string): SettleState {
  switch (status) {
    case 'SUCCEEDED':
      return 'settled';
    case 'FAILED':
      return 'failed';
    case 'TIMED_OUT':
      return 'timed-out';
    case 'ABORTED':
      return 'aborted';
    default:
      return 'waiting';
  }
}

/**
 * The start every variant job name of a drop shares: the drop's job name is `<slug>-<hash10>`,
 * a variant's `<slug cut to at least 31 characters>-<variant>-<hash10>` (src/job/job-name.ts).
 */
export function variantNamePrefix(dropJobName: string): string {
  const slug = dropJobName.replace(/-[0-9a-f]{10}$/, '');
  return slug.length <= 31 ? `${slug}-` : slug.slice(0, 31).replace(/-+$/, '');
}

/**
 * The settle chains among `executions`, by drop: the first execution (to describe) and the
 * latest one's status. Only chains whose first execution started at or after `since` and, so
 * that only the drops shown are described, a listed job's name could be a variant of.
 */
export function settleChains(
  executions: ExecutionListItem[],
  since: Date | undefined,
  jobNames: string[],
): Map<string, { first?: ExecutionListItem; latest: ExecutionListItem }> {
  const chains = new Map<string, { first?: ExecutionListItem; latest: ExecutionListItem }>();
  for (const e of executions) {
    const match = SETTLE_NAME.exec(e.name ?? '');
    if (!match?.[1]) continue;
    const drop = match[1];
    const chain = chains.get(drop) ?? { latest: e };
    if ((e.startDate?.getTime() ?? 0) > (chain.latest.startDate?.getTime() ?? 0)) chain.latest = e;
    if (e.name === settleExecutionName(drop)) chain.first = e;
    chains.set(drop, chain);
  }
  for (const [drop, chain] of chains) {
    const started = chain.first?.startDate;
    const prefix = variantNamePrefix(drop);
    const shown = jobNames.some((name) => name.startsWith(prefix));
    if (!chain.first || !shown || (since && started && started.getTime() < since.getTime()))
      chains.delete(drop);
  }
  return chains;
}

/** Describes the first execution of each chain (its input names the variants). */
export async function describeDrops(
  sfn: SFNClient,
  stateMachineArn: string,
  chains: Map<string, { first?: ExecutionListItem; latest: ExecutionListItem }>,
): Promise<DropVariants[]> {
  const drops = await Promise.all(
    [...chains].map(async ([dropJobName, chain]) => {
      const described = await sfn.send(
        new DescribeExecutionCommand({
          executionArn:
            chain.first?.executionArn ?? executionArnFor(stateMachineArn, settleExecutionName(dropJobName)),
        }),
      );
      const input = parseSettleInput(described.input);
      if (!input) return undefined;
      return {
        dropJobName,
        ...(input.model?.modelId && { modelId: input.model.modelId }),
        variants: input.variants,
        ...(chain.first?.startDate && { startedAt: chain.first.startDate.toISOString() }),
        settleStatus: chain.latest.status ?? 'RUNNING',
      } satisfies DropVariants;
    }),
  );
  return drops.filter((d) => d !== undefined);
}

/** The variants and model of a settle execution's input; undefined when it is not one. */
export function parseSettleInput(
  text: string | undefined,
): { variants: VariantRef[]; model?: { modelId?: string } } | undefined {
  if (!text) return undefined;
  try {
    const input = JSON.parse(text) as { variants?: unknown; model?: { modelId?: string } };
    if (!Array.isArray(input.variants)) return undefined;
    const variants = input.variants.filter(
      (v): v is VariantRef => typeof v?.name === 'string' && typeof v?.jobName === 'string',
    );
    return { variants, ...(input.model && { model: input.model }) };
  } catch {
    return undefined;
  }
}

/**
 * Puts the listed jobs of each drop with variants together: one group entry where the drop's
 * newest listed job was, its variants in manifest order. Other jobs stay as they are.
 */
export function groupJobs(jobs: JobSummary[], drops: DropVariants[]): ListEntry[] {
  const dropOf = new Map<string, { drop: DropVariants; variant: VariantRef }>();
  for (const drop of drops) {
    for (const variant of drop.variants) dropOf.set(variant.jobName, { drop, variant });
  }
  const listed = new Map(jobs.map((j) => [j.jobName, j]));
  const entries: ListEntry[] = [];
  const placed = new Set<string>();
  for (const job of jobs) {
    const found = dropOf.get(job.jobName);
    if (!found) {
      entries.push(job);
      continue;
    }
    const { drop } = found;
    if (placed.has(drop.dropJobName)) continue;
    placed.add(drop.dropJobName);
    const variants = drop.variants.flatMap((v) => {
      const summary = listed.get(v.jobName);
      return summary ? [{ variant: v.name, ...summary }] : [];
    });
    const settle = settleStateOf(drop.settleStatus);
    const created = variants
      .map((v) => v.createdAt)
      .filter((c): c is string => c !== undefined)
      .sort()[0];
    entries.push({
      dropJobName: drop.dropJobName,
      ...(drop.modelId && { modelId: drop.modelId }),
      settle,
      ...(settle === 'settled' && { lastEvent: 'Model Optimization Variants Settled' }),
      ...(created && { createdAt: created }),
      variants,
      variantCount: drop.variants.length,
    });
  }
  return entries;
}

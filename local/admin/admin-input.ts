/**
 * The bodies of the admin API's `POST` routes (`/_local/*`), checked before use: a body of the
 * wrong shape is the caller's error (400), and must not become a fault or override that breaks
 * later calls (an outcome override without a `match` failed every CreateOptimizationJob).
 */
import * as z from 'zod';
import { FAULT_ERRORS } from '../protocol/request-faults';

const FAULT = z.object({
  service: z.enum(['sagemaker', 'stepfunctions', 'eventbridge']),
  error: z.enum(Object.keys(FAULT_ERRORS) as [keyof typeof FAULT_ERRORS]),
  rate: z.number().min(0).max(1).optional(),
  count: z.int().min(1).optional(),
  operations: z.array(z.string()).optional(),
  durationSeconds: z.number().positive().optional(),
});

const FAILED_ENTRIES = z.union([
  z.null(),
  z.object({ rate: z.number().min(0).max(1).optional(), count: z.int().min(1).optional() }),
]);

const OUTCOME = z.object({
  match: z.object({ name: z.string().optional(), nameContains: z.string().optional() }),
  outcome: z.enum(['complete', 'fail', 'stop', 'hang']),
  reason: z.string().optional(),
  times: z.int().min(1).optional(),
  durations: z
    .object({
      startingSeconds: z.number().min(0).optional(),
      inProgressSeconds: z.number().min(0).optional(),
      stoppingSeconds: z.number().min(0).optional(),
    })
    .optional(),
  completesOnStop: z.boolean().optional(),
});

/** Thrown for a body of the wrong shape; the admin API answers it with 400. */
export class AdminInputError extends Error {
  override readonly name = 'AdminInputError';
}

function parse<Shape extends z.ZodType>(shape: Shape, route: string, body: unknown): z.output<Shape> {
  const result = shape.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  throw new AdminInputError(`${route}: ${issues}`);
}

/** `POST /_local/faults` */
export const faultInput = (body: unknown) => parse(FAULT, 'POST /_local/faults', body);
/** `POST /_local/faults/eventbridge-failed-entries` (null clears) */
export const failedEntriesInput = (body: unknown) =>
  parse(FAILED_ENTRIES, 'POST /_local/faults/eventbridge-failed-entries', body ?? null) ?? undefined;
/** `POST /_local/sagemaker/outcomes` */
export const outcomeInput = (body: unknown) => parse(OUTCOME, 'POST /_local/sagemaker/outcomes', body);

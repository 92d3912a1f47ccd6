/** The console's routes, from the page (same origin: the guard lets only the stack's own pages in). */
import type { ConsoleConfig, EventsAnswer, JobGraph } from '../api-types';

export const API = '/_local/console/api';

/** A route answered with an error; `message` is the route's own. */
export class ConsoleApiError extends Error {
  override readonly name = 'ConsoleApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${API}${path}`, {
    method,
    ...(body !== undefined && {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    }),
  });
  const answer = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new ConsoleApiError(response.status, answer.message ?? response.statusText);
  return answer;
}

export const getConfig = () => call<ConsoleConfig>('GET', '/config');
export const getJobGraph = (id: string) => call<JobGraph>('GET', `/jobs/${encodeURIComponent(id)}`);
export const queryEvents = (query: { pattern: string; jobName?: string }) =>
  call<EventsAnswer>('POST', '/events', query);
export const redrive = () => call<{ approximateCount: number; taskHandle?: string }>('POST', '/redrive');

/**
 * What every wiring step of `startLocalStack` (../stack.ts) shares: the service description
 * read from serverless.yml, where state lives, the stack's clock, and where activity and
 * internal errors go.
 */
import type { Activity } from '../diagnostics/activity';
import type { InternalErrors } from '../diagnostics/internal-errors';
import type { LocalServiceDescription } from '../service/description';
import type { Clock } from '../time/clock';

export const LOCAL_ACCOUNT_ID = '000000000000';

export interface Wiring {
  description: LocalServiceDescription;
  dataDir: string;
  region: string;
  clock: Clock;
  /** The clock's now, as a Date. */
  now: () => Date;
  emit: (activity: Activity) => void;
  onInternalError: (error: unknown, site: Parameters<InternalErrors['record']>[1]) => void;
}

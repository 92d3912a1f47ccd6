/**
 * The console page: the jobs table, the selected job's execution graph and state details, the
 * bus's events with a pattern box, the upload queues with redrive, and a drop zone. Snapshots
 * arrive as server-sent events (routes.ts says why); the graph and events are fetched when the
 * snapshot says they changed.
 */
import { describeLeftOut } from '../../../src/drop';
import { CONSOLE_JOB_COLUMNS, type ConsoleJobColumn } from '../../../src/terminal/job-columns';
import { formatBytes, formatDuration } from '../../../src/text-format';
import type { BusEvent, ConsoleConfig, ConsoleSnapshot, JobGraph, JobRow, StateVisit } from '../api-types';
import { API, getConfig, getJobGraph, queryEvents, redrive } from './api';
import { dropInBrowser, filesFromDataTransfer, filesFromFolderInput, type PickedFiles } from './browser-drop';
import { byId, h } from './dom';
import { drawGraph } from './graph-view';
import { fitJobsTable, headerCells } from './jobs-table';

interface PageState {
  config?: ConsoleConfig;
  snapshot?: ConsoleSnapshot;
  selected?: string;
  /** What the selected row looked like when its graph was fetched. */
  graphSignature?: string;
  graph?: JobGraph;
  selectedState?: string;
  eventsSignature?: string;
}

const state: PageState = {};

async function start(): Promise<void> {
  state.config = await getConfig();
  byId('stage').textContent = state.config.stage;
  byId('bucket').textContent = state.config.bucket;
  fillRuleChoices(state.config);
  byId('jobs-head').replaceChildren(...headerCells());
  watchJobsWidth();
  wireEvents();
  wireQueues();
  wireDrop();
  const stream = new EventSource(`${API}/stream`);
  stream.addEventListener('snapshot', (message) => {
    state.snapshot = JSON.parse((message as MessageEvent<string>).data) as ConsoleSnapshot;
    byId('live').className = 'live on';
    byId('live').textContent = 'live';
    render();
  });
  stream.addEventListener('error', () => {
    byId('live').className = 'live off';
    byId('live').textContent = 'reconnecting…';
  });
}

function render(): void {
  const snapshot = state.snapshot;
  if (!snapshot) return;
  byId('clock').textContent = new Date(snapshot.now).toISOString().replace('T', ' ').slice(0, 19);
  byId('speed').textContent = `×${snapshot.clockSpeed}`;
  renderJobs(snapshot);
  renderQueues(snapshot);
  const row = snapshot.jobs.find((j) => j.id === state.selected);
  renderReason(row);
  const signature = row && JSON.stringify([row.tracking, row.sageMakerStatus, row.lastEvent]);
  if (row && signature !== state.graphSignature) {
    state.graphSignature = signature;
    void loadGraph(row.id);
  }
  const eventsSignature = `${snapshot.eventCount}|${eventScopeJob() ?? ''}`;
  if (eventsSignature !== state.eventsSignature) {
    state.eventsSignature = eventsSignature;
    void loadEvents();
  }
}

function renderJobs(snapshot: ConsoleSnapshot): void {
  const body = byId('jobs-body');
  const groups = new Set(snapshot.jobs.filter((j) => j.group).map((j) => j.id));
  const rows = snapshot.jobs.map((job) => {
    const grouped = job.dropJobName !== undefined && groups.has(job.dropJobName);
    const tr = h(
      'tr',
      {
        'data-id': job.id,
        'data-outcome': job.outcome,
        class: `${job.outcome}${kindClass(job)}${job.id === state.selected ? ' selected' : ''}`,
        tabindex: '0',
      },
      ...CONSOLE_JOB_COLUMNS.map((column) => jobCell(column, job, grouped, snapshot.now)),
    );
    tr.addEventListener('click', () => select(job.id));
    tr.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') select(job.id);
    });
    return tr;
  });
  body.replaceChildren(...rows);
  byId('jobs-empty').hidden = rows.length > 0;
  fitJobs();
}

const fitJobs = () => fitJobsTable(byId<HTMLTableElement>('jobs'), byId('jobs-box'), byId('jobs-cols'));

/** The cell of one column of a job's row; `grouped`: a variant's row under its group's. */
function jobCell(column: ConsoleJobColumn, job: JobRow, grouped: boolean, now: number): HTMLElement {
  const td = (attributes: Record<string, string>, ...children: (Node | string)[]) =>
    h('td', { 'data-column': column, ...attributes }, ...children);
  switch (column) {
    case 'drop':
      // A variant's row sits under its group's, which names the drop: it names the variant.
      return job.variant && grouped
        ? td({ class: 'variant-name', title: `${job.variant} of ${job.dropKey ?? ''}` }, `↳ ${job.variant}`)
        : td({ title: job.dropKey ?? '' }, job.dropKey ?? '');
    case 'job':
      return jobNameCell(job, td);
    case 'status': {
      const status = groupStatus(job) ?? job.sageMakerStatus;
      return td(
        {},
        h('span', { class: `status ${statusClass(status)}`, title: job.failureReason ?? '' }, status ?? '—'),
      );
    }
    case 'tracking':
      return td({}, trackingText(job));
    case 'duration':
      return td({}, formatDuration(((job.endedAt ?? now) - job.startedAt) / 1000));
    case 'lastEvent':
      return td({}, job.lastEvent?.replace(/^Model (Optimization (?=Variants))?/, '') ?? '—');
  }
}

/** Fits the table again when its box's width changes (a window resized, the layout switched). */
function watchJobsWidth(): void {
  let width = 0;
  new ResizeObserver(([entry]) => {
    const now = entry?.contentRect.width ?? 0;
    if (now === width) return;
    width = now;
    fitJobs();
  }).observe(byId('jobs-box'));
}

/** Why the selected job failed or its drop was rejected, whole: a cell or an events line cuts it. */
function renderReason(row: JobRow | undefined): void {
  const lines =
    row?.outcome === 'rejected'
      ? (row.rejectionErrors ?? []).map((e) => `${e.path}: ${e.message}`)
      : row?.failureReason
        ? [row.failureReason]
        : [];
  const heading =
    row && `Why ${row.jobName ?? row.id} ${row.outcome === 'rejected' ? 'was rejected' : 'failed'}`;
  const panel = byId('reason');
  const signature = JSON.stringify([heading, lines]);
  // Unchanged, it is left alone: a reader may be selecting its text to copy it.
  if (panel.dataset.signature === signature) return;
  panel.dataset.signature = signature;
  panel.hidden = lines.length === 0;
  panel.classList.toggle('rejected', row?.outcome === 'rejected');
  byId('reason-heading').textContent = heading ?? '';
  byId('reason-lines').replaceChildren(...lines.map((line) => h('li', { class: 'reason-text' }, line)));
}

/** ` group` for a drop with variants' row, ` variant` for a variant's. */
const kindClass = (job: JobRow): string => (job.group ? ' group' : job.variant ? ' variant' : '');

/** A group row says SETTLED once Variants Settled is put, WAITING until then. */
const groupStatus = (job: JobRow): string | undefined =>
  job.group ? (job.outcome === 'settled' ? 'SETTLED' : 'WAITING') : undefined;

function jobNameCell(
  job: JobRow,
  td: (attributes: Record<string, string>, ...children: (Node | string)[]) => HTMLElement,
): HTMLElement {
  if (job.group) {
    const count = job.group.variants.length;
    return td(
      { title: `${job.id}: ${job.group.variants.map((v) => v.name).join(', ')}` },
      h('span', { class: 'drop-job' }, job.id),
      h('span', { class: 'variant-count' }, ` · ${count} variant${count === 1 ? '' : 's'}`),
    );
  }
  return td({ title: job.jobName ?? '' }, job.jobName ?? '—');
}

function trackingText(job: JobRow): string {
  const t = job.tracking;
  if (!t) return 'waiting for start-optimization';
  const where = t.state ? ` · ${t.state}` : '';
  const polls = t.polls ? ` · ${t.polls} poll${t.polls === 1 ? '' : 's'}` : '';
  const continued = t.executions > 1 ? ` · ${t.executions} executions` : '';
  return `${t.status}${where}${polls}${continued}`;
}

function statusClass(status: string | undefined): string {
  switch (status) {
    case 'COMPLETED':
    case 'SETTLED':
      return 'ok';
    case 'FAILED':
    case 'REJECTED':
      return 'bad';
    case 'STOPPED':
    case 'STOPPING':
      return 'warn';
    default:
      return status ? 'busy' : '';
  }
}

function select(id: string): void {
  state.selected = id;
  state.selectedState = undefined;
  state.graphSignature = undefined;
  state.eventsSignature = undefined;
  byId<HTMLInputElement>('scope-job').disabled = false;
  byId<HTMLInputElement>('scope-job').checked = true;
  render();
}

async function loadGraph(id: string): Promise<void> {
  byId('graph-title').textContent = id;
  try {
    const graph = await getJobGraph(id);
    if (state.selected !== id) return;
    state.graph = graph;
    drawSelectedGraph();
  } catch (error) {
    byId('graph').replaceChildren(h('p', { class: 'hint' }, `No execution yet: ${(error as Error).message}`));
    byId('state-detail').replaceChildren();
  }
}

function drawSelectedGraph(): void {
  const graph = state.graph;
  if (!graph) return;
  drawGraph(byId('graph'), graph, state.selectedState, (name) => {
    state.selectedState = name;
    drawSelectedGraph();
  });
  renderStateDetail(graph, state.selectedState);
}

function renderStateDetail(graph: JobGraph, name: string | undefined): void {
  const panel = byId('state-detail');
  const executions = graph.executions.map((e) => `${e.name}: ${e.status}${e.error ? ` (${e.error})` : ''}`);
  if (!name) {
    panel.replaceChildren(
      h('h3', {}, 'Executions'),
      h('ul', {}, ...executions.map((text) => h('li', {}, text))),
      h('p', { class: 'hint' }, 'Click a state to see its input and output.'),
    );
    return;
  }
  const visits = graph.executions.flatMap((e) =>
    e.history.filter((v) => v.state === name).map((v) => ({ execution: e.name, visit: v })),
  );
  panel.replaceChildren(
    h('h3', {}, name),
    visits.length === 0
      ? h('p', { class: 'hint' }, 'Not visited by these executions.')
      : h(
          'div',
          {},
          ...visits.map(({ execution, visit }, i) => visitDetail(execution, visit, i === visits.length - 1)),
        ),
  );
}

function visitDetail(execution: string, visit: StateVisit, open: boolean): HTMLElement {
  const facts = [
    `entered ${time(visit.enteredAt)}`,
    visit.exitedAt !== undefined ? `left ${time(visit.exitedAt)}` : 'still here',
    visit.retries ? `${visit.retries} retr${visit.retries === 1 ? 'y' : 'ies'}` : '',
    ...Object.entries(visit.errors ?? {}).map(([error, n]) => `${error} ×${n}`),
    visit.caught ? `caught ${visit.caught.error} → ${visit.caught.next}` : '',
    visit.failed ? `failed: ${visit.failed.error}: ${visit.failed.cause}` : '',
  ].filter(Boolean);
  const details = h(
    'details',
    { class: 'visit' },
    h('summary', {}, `${execution} · ${facts[0]}`),
    h('p', { class: 'visit-facts' }, facts.slice(1).join(' · ')),
    h('h4', {}, 'Input'),
    h('pre', { class: 'json input' }, JSON.stringify(visit.input, null, 2)),
    h('h4', {}, 'Output'),
    h(
      'pre',
      { class: 'json output' },
      visit.output === undefined ? '(none yet)' : JSON.stringify(visit.output, null, 2),
    ),
  );
  details.open = open;
  return details;
}

const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

// ── events ──

function eventScopeJob(): string | undefined {
  const row = state.snapshot?.jobs.find((j) => j.id === state.selected);
  return byId<HTMLInputElement>('scope-job').checked ? (row?.jobName ?? state.selected) : undefined;
}

function fillRuleChoices(config: ConsoleConfig): void {
  const select = byId<HTMLSelectElement>('rule-choice');
  for (const rule of config.rules)
    select.append(h('option', { value: JSON.stringify(rule.pattern, null, 2) }, rule.name));
  select.addEventListener('change', () => {
    if (!select.value) return;
    byId<HTMLTextAreaElement>('pattern').value = select.value;
    void loadEvents();
  });
}

let patternTimer: number | undefined;
function wireEvents(): void {
  const pattern = byId<HTMLTextAreaElement>('pattern');
  pattern.addEventListener('input', () => {
    window.clearTimeout(patternTimer);
    patternTimer = window.setTimeout(() => void loadEvents(), 300);
  });
  byId('apply-pattern').addEventListener('click', () => void loadEvents());
  byId('scope-job').addEventListener('change', () => void loadEvents());
  byId('scope-all').addEventListener('change', () => void loadEvents());
}

async function loadEvents(): Promise<void> {
  const error = byId('pattern-error');
  const jobName = eventScopeJob();
  try {
    const answer = await queryEvents({
      pattern: byId<HTMLTextAreaElement>('pattern').value,
      ...(jobName && { jobName }),
    });
    error.hidden = true;
    error.textContent = '';
    byId('pattern').classList.remove('invalid');
    byId('events-count').textContent =
      `${answer.total} event${answer.total === 1 ? '' : 's'}${jobName ? ` of ${jobName}` : ''}`;
    byId('events-list').replaceChildren(...answer.events.map(eventItem));
  } catch (failure) {
    error.hidden = false;
    error.textContent = (failure as Error).message;
    byId('pattern').classList.add('invalid');
    // No list under an error: what is left would read as the pattern's result.
    byId('events-count').textContent = '';
    byId('events-list').replaceChildren();
  }
}

function eventItem(event: BusEvent): HTMLElement {
  const d = event.detail as {
    jobName?: string;
    failureReason?: string;
    errors?: { path: string; message: string }[];
    output?: { s3Uri?: string };
  };
  const summary =
    d.failureReason ?? d.output?.s3Uri ?? d.errors?.map((e) => `${e.path}: ${e.message}`).join('; ') ?? '';
  const type = event['detail-type'];
  return h(
    'li',
    { class: `event ${type.split(' ').pop()?.toLowerCase() ?? ''}`, 'data-detail-type': type },
    h(
      'details',
      {},
      h(
        'summary',
        {},
        h('span', { class: 'time' }, event.time.slice(11, 19)),
        h('span', { class: 'type' }, type),
        h('span', { class: 'job' }, d.jobName ?? ''),
        h('span', { class: 'summary' }, summary),
      ),
      h('pre', { class: 'json' }, JSON.stringify(event, null, 2)),
    ),
  );
}

// ── queues ──

function renderQueues(snapshot: ConsoleSnapshot): void {
  const { upload, deadLetter } = snapshot.queues;
  byId('upload-depth').textContent = upload ? String(upload.total) : '—';
  byId('upload-detail').textContent = upload
    ? `${upload.visible} visible · ${upload.inFlight} in flight`
    : '';
  byId('dlq-depth').textContent = deadLetter ? String(deadLetter.total) : '—';
  byId('dlq-depth').classList.toggle('bad', (deadLetter?.total ?? 0) > 0);
  byId('dlq-detail').textContent = deadLetter?.name ?? '';
  byId<HTMLButtonElement>('redrive').disabled = !deadLetter || deadLetter.total === 0;
}

function wireQueues(): void {
  const button = byId<HTMLButtonElement>('redrive');
  button.addEventListener('click', async () => {
    button.disabled = true;
    const status = byId('redrive-status');
    try {
      const moved = await redrive();
      status.textContent = moved.taskHandle
        ? `Moving ${moved.approximateCount} message(s) back to the upload queue.`
        : 'The dead-letter queue is empty: nothing to move.';
    } catch (error) {
      status.textContent = `Redrive failed: ${(error as Error).message}`;
    }
  });
}

// ── drop ──

function wireDrop(): void {
  const zone = byId('drop-zone');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', async (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const manifestName = state.config?.manifestName;
    await drop(
      event.dataTransfer && manifestName
        ? await filesFromDataTransfer(event.dataTransfer, manifestName)
        : undefined,
    );
  });
  const folder = byId<HTMLInputElement>('pick-folder');
  folder.addEventListener('change', async () => {
    const manifestName = state.config?.manifestName;
    await drop(
      folder.files && manifestName ? await filesFromFolderInput(folder.files, manifestName) : undefined,
    );
  });
  const file = byId<HTMLInputElement>('pick-file');
  file.addEventListener('change', () => {
    const picked = file.files?.[0];
    void drop(picked ? { kind: 'file', file: picked } : undefined);
  });
}

async function drop(picked: PickedFiles | undefined): Promise<void> {
  const status = byId('drop-status');
  const bar = byId<HTMLProgressElement>('drop-progress');
  if (!picked || !state.config) {
    status.textContent = 'Drop a model folder or a .tar.gz.';
    return;
  }
  bar.hidden = false;
  bar.value = 0;
  status.className = 'busy';
  // What the folder leaves out (.git/, caches, its .modelignore), said before and after the upload.
  const leaving = picked.kind === 'folder' ? describeLeftOut(picked.leftOut) : undefined;
  const aside = leaving ? ` (${leaving})` : '';
  try {
    const dropped = await dropInBrowser(picked, state.config, (p) => {
      bar.max = p.total;
      bar.value = p.loaded;
      status.textContent = `${p.key} · ${formatBytes(p.loaded)} of ${formatBytes(p.total)}${aside}`;
    });
    status.className = 'ok';
    status.textContent = `Dropped ${dropped.uploads.length} object(s); ${dropped.triggerKey} went last and starts the job${leaving ? `; ${leaving}` : ''}.`;
  } catch (error) {
    status.className = 'bad';
    status.textContent = (error as Error).message;
  }
}

void start().catch((error: unknown) => {
  byId('live').className = 'live off';
  byId('live').textContent = `failed to start: ${(error as Error).message}`;
});

/**
 * The execution graph as data: the states and transitions of an ASL definition, and which of
 * them a job's executions took — the states visited, the Choice branch and Catch taken, the
 * retries counted on each Task's retry loop (CheckJob's are the polls), the state an execution
 * is in, the one that failed it, and the end. Pure, so it is tested without a browser; the
 * drawing is graph-view.ts.
 */
import type { AslDefinition, AslState, ExecutionView, StateVisit } from '../api-types';

export const START = '(start)';
export const END = '(end)';

export type EdgeKind = 'start' | 'next' | 'choice' | 'default' | 'catch' | 'retry' | 'end';

export interface GraphNode {
  id: string;
  type: string;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  label: string;
}

export interface StateGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** What the executions did at one state, across all of them. */
export interface NodeTrace {
  visits: StateVisit[];
  /** The execution is in this state now. */
  current: boolean;
  /** An execution failed in this state. */
  failed: boolean;
  /** A Catch here handled an error. */
  caught: boolean;
  /** An execution ended after this state. */
  terminal: boolean;
}

export interface GraphTrace {
  nodes: Map<string, NodeTrace>;
  /** Edge id → times taken (retry edges: retries). */
  edges: Map<string, number>;
}

const edgeId = (from: string, to: string, kind: EdgeKind, index = 0) => `${from}→${to}:${kind}:${index}`;

/** The states and transitions of a definition (top level; this machine has no Map or Parallel). */
export function stateGraph(definition: AslDefinition): StateGraph {
  const nodes: GraphNode[] = [{ id: START, type: 'Start' }];
  const edges: GraphEdge[] = [
    {
      id: edgeId(START, definition.StartAt, 'start'),
      from: START,
      to: definition.StartAt,
      kind: 'start',
      label: '',
    },
  ];
  const add = (from: string, to: string, kind: EdgeKind, label: string, index = 0) =>
    edges.push({ id: edgeId(from, to, kind, index), from, to, kind, label });
  for (const [name, state] of Object.entries(definition.States)) {
    nodes.push({ id: name, type: state.Type });
    if (state.Retry?.length) add(name, name, 'retry', 'Retry');
    state.Choices?.forEach((choice, i) => {
      add(name, choice.Next, 'choice', choiceLabel(choice), i);
    });
    if (state.Default) add(name, state.Default, 'default', 'Default');
    state.Catch?.forEach((catcher, i) => {
      add(name, catcher.Next, 'catch', `Catch ${catcher.ErrorEquals.map(shortError).join(', ')}`, i);
    });
    if (state.Next) add(name, state.Next, 'next', '');
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') add(name, END, 'end', '');
  }
  nodes.push({ id: END, type: 'End' });
  return { nodes, edges };
}

/** Which states and transitions the executions took. */
export function traceExecutions(
  graph: StateGraph,
  definition: AslDefinition,
  executions: ExecutionView[],
): GraphTrace {
  const nodes = new Map<string, NodeTrace>(
    graph.nodes.map((n) => [
      n.id,
      { visits: [], current: false, failed: false, caught: false, terminal: false },
    ]),
  );
  const edges = new Map<string, number>();
  const take = (edge: GraphEdge | undefined, times = 1) => {
    if (edge) edges.set(edge.id, (edges.get(edge.id) ?? 0) + times);
  };
  const find = (from: string, to: string, kinds: EdgeKind[]) =>
    graph.edges.find((e) => e.from === from && e.to === to && kinds.includes(e.kind));

  for (const execution of executions) {
    const { history } = execution;
    const first = history[0];
    if (first) take(find(START, first.state, ['start']));
    history.forEach((visit, i) => {
      const node = nodes.get(visit.state);
      if (!node) return;
      node.visits.push(visit);
      if (visit.retries) take(find(visit.state, visit.state, ['retry']), visit.retries);
      if (visit.failed) node.failed = true;
      if (visit.caught) node.caught = true;
      const next = history[i + 1];
      if (next) {
        const kinds: EdgeKind[] =
          visit.caught?.next === next.state ? ['catch'] : ['next', 'choice', 'default'];
        take(transition(graph, definition.States[visit.state], visit, next.state, kinds));
      } else if (execution.status === 'RUNNING' && visit.exitedAt === undefined) {
        node.current = true;
      } else if (execution.status === 'SUCCEEDED' && visit.exitedAt !== undefined) {
        node.terminal = true;
        take(find(visit.state, END, ['end']));
      }
    });
  }
  return { nodes, edges };
}

/** The edge one visit left by: a Choice's taken branch is the first whose target matches. */
function transition(
  graph: StateGraph,
  state: AslState | undefined,
  visit: StateVisit,
  to: string,
  kinds: EdgeKind[],
): GraphEdge | undefined {
  const candidates = graph.edges.filter(
    (e) => e.from === visit.state && e.to === to && kinds.includes(e.kind),
  );
  if (state?.Type !== 'Choice' || candidates.length <= 1) return candidates[0];
  return candidates.find((e) => e.kind === 'choice') ?? candidates[0];
}

/** A Choice rule as a short label: `has rejection`, `action = publish`. */
export function choiceLabel(choice: Record<string, unknown>): string {
  const variable =
    String(choice.Variable ?? '')
      .split('.')
      .pop() ?? '';
  if (choice.IsPresent === true) return `has ${variable}`;
  if (choice.IsPresent === false) return `no ${variable}`;
  for (const [key, value] of Object.entries(choice)) {
    if (key === 'Variable' || key === 'Next') continue;
    if (/Equals$/.test(key)) return `${variable} = ${String(value)}`;
    if (/(Less|Greater)/.test(key))
      return `${variable} ${key.replace(/^(String|Numeric|Timestamp)/, '')} ${String(value)}`;
  }
  return 'rule';
}

function shortError(error: string): string {
  return error
    .replace(/^SageMaker\./, '')
    .replace(/^StepFunctions\./, '')
    .replace(/Exception$/, '');
}

/**
 * Draws the execution graph: dagre lays the states out (a maintained Sugiyama layout), this
 * module draws the boxes and edges in SVG and marks what graph-model.ts traced. Each state is
 * a `g.state[data-state]`, with classes `taken`, `current`, `failed`, `caught`, `terminal`;
 * each edge a `g.edge[data-from][data-to][data-kind]`, `taken` with `data-count` when it was.
 */
import dagre from '@dagrejs/dagre';
import type { JobGraph } from '../api-types';
import {
  END,
  type GraphTrace,
  type NodeTrace,
  START,
  type StateGraph,
  stateGraph,
  traceExecutions,
} from './graph-model';

const SVG = 'http://www.w3.org/2000/svg';
const FONT_PX = 13;
/** Width of one character at FONT_PX in the page's sans-serif, near enough to size boxes. */
const CHAR_PX = 7.4;

/** Draws `graph` into `container`; `onSelect` gets the state clicked. */
export function drawGraph(
  container: HTMLElement,
  job: JobGraph,
  selected: string | undefined,
  onSelect: (state: string) => void,
): GraphTrace {
  const model = stateGraph(job.definition);
  const trace = traceExecutions(model, job.definition, job.executions);
  const layout = layoutGraph(model, trace);
  const width = layout.width + 2 * PAD;
  const height = layout.height + 2 * PAD;
  const svg = el('svg', {
    class: `graph outcome-${job.outcome}`,
    'data-outcome': job.outcome,
    viewBox: `0 0 ${width} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': `state machine of ${job.id}`,
  });
  // Scales down to the panel, never up (CSSOM, which the page's CSP allows).
  svg.style.maxWidth = `${width}px`;
  svg.append(markers());
  const root = el('g', { transform: `translate(${PAD},${PAD})` });
  svg.append(root);

  for (const edge of model.edges) {
    const count = trace.edges.get(edge.id) ?? 0;
    const loop = edge.from === edge.to;
    const laid = loop ? undefined : layout.edge(edge.id);
    if (!loop && !laid) continue;
    if (loop && count === 0) continue; // Every Task here has a Retry: only the loops taken are drawn.
    const g = el('g', {
      class: `edge kind-${edge.kind}${count ? ' taken' : ''}`,
      'data-from': edge.from,
      'data-to': edge.to,
      'data-kind': edge.kind,
      ...(count && { 'data-count': String(count) }),
    });
    const box = layout.box(edge.from);
    const d = loop ? retryLoop(box) : smoothPath(clipToBoxes(laid?.points ?? [], box, layout.box(edge.to)));
    g.append(el('path', { d, 'marker-end': `url(#arrow${count ? '-taken' : ''})` }));
    const label = edgeLabel(edge, count);
    if (label) {
      const at = loop
        ? { x: box.x + box.width / 2 + LOOP_BULGE + 6, y: box.y + 4 }
        : { x: laid?.x ?? 0, y: (laid?.y ?? 0) + 4 };
      const text = el('text', {
        x: String(at.x),
        y: String(at.y),
        class: 'edge-label',
        'text-anchor': loop ? 'start' : 'middle',
      });
      text.textContent = label;
      g.append(text);
    }
    root.append(g);
  }

  const ended = [...trace.nodes.values()].some((n) => n.terminal);
  for (const node of model.nodes) {
    const box = layout.box(node.id);
    const t = trace.nodes.get(node.id);
    const bookend = node.id === START || node.id === END;
    const taken = bookend ? (node.id === START ? trace.edges.size > 0 : ended) : Boolean(t?.visits.length);
    const classes = [
      'state',
      `type-${node.type.toLowerCase()}`,
      taken && 'taken',
      t?.current && 'current',
      t?.failed && 'failed',
      t?.caught && 'caught',
      t?.terminal && 'terminal',
      node.id === selected && 'selected',
    ].filter(Boolean);
    const g = el('g', {
      class: classes.join(' '),
      'data-state': node.id,
      'data-visits': String(t?.visits.length ?? 0),
      transform: `translate(${box.x - box.width / 2},${box.y - box.height / 2})`,
    });
    g.append(
      el('rect', {
        width: String(box.width),
        height: String(box.height),
        rx: String(bookend ? box.height / 2 : 6),
      }),
    );
    const title = el('text', {
      x: String(box.width / 2),
      y: bookend ? String(box.height / 2 + 4) : '20',
      'text-anchor': 'middle',
      class: 'state-name',
    });
    title.textContent = node.id === START ? 'Start' : node.id === END ? 'End' : node.id;
    g.append(title);
    if (!bookend) {
      const sub = el('text', {
        x: String(box.width / 2),
        y: '37',
        'text-anchor': 'middle',
        class: 'state-note',
      });
      sub.textContent = note(node.type, t);
      g.append(sub);
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.addEventListener('click', () => onSelect(node.id));
      g.addEventListener('keydown', (event) => {
        if ((event as KeyboardEvent).key === 'Enter') onSelect(node.id);
      });
    }
    root.append(g);
  }
  container.replaceChildren(svg);
  return trace;
}

const PAD = 10;
/** How far a retry loop reaches out of its state's right side. */
const LOOP_BULGE = 24;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface LaidEdge {
  points: { x: number; y: number }[];
  x: number;
  y: number;
}

/**
 * Lays the graph out with dagre. A state with a taken retry loop gets room beside it for the
 * loop and its count: dagre lays out a wider box, the state is drawn in its middle, and the
 * edges are clipped to the drawn box.
 */
function layoutGraph(model: StateGraph, trace: GraphTrace) {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 34, edgesep: 16, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const room = new Map<string, number>();
  for (const edge of model.edges) {
    const count = trace.edges.get(edge.id) ?? 0;
    if (edge.from === edge.to && count > 0)
      room.set(edge.from, LOOP_BULGE + 10 + edgeLabel(edge, count).length * 6.6);
  }
  const drawnWidth = new Map<string, number>();
  for (const node of model.nodes) {
    const bookend = node.id === START || node.id === END;
    const noteWidth = note(node.type, trace.nodes.get(node.id)).length * 6.4 + 24;
    const width = bookend ? 70 : Math.max(150, node.id.length * CHAR_PX + 28, noteWidth);
    drawnWidth.set(node.id, width);
    // Room on both sides keeps the drawn box centred where dagre routes the edges.
    graph.setNode(node.id, { width: width + 2 * (room.get(node.id) ?? 0), height: bookend ? 28 : 46 });
  }
  for (const edge of model.edges) {
    if (edge.from === edge.to) continue;
    const label = edgeLabel(edge, 0);
    graph.setEdge(
      edge.from,
      edge.to,
      { width: label ? label.length * 6.6 + 8 : 0, height: label ? FONT_PX + 6 : 0, labelpos: 'c' },
      edge.id,
    );
  }
  dagre.layout(graph);
  const size = graph.graph() as { width?: number; height?: number };
  return {
    width: size.width ?? 0,
    height: size.height ?? 0,
    /** Where a state is drawn. */
    box(id: string): Box {
      const laid = graph.node(id) as Box;
      return { x: laid.x, y: laid.y, width: drawnWidth.get(id) ?? laid.width, height: laid.height };
    },
    edge(id: string): LaidEdge | undefined {
      const edge = model.edges.find((e) => e.id === id);
      return edge && (graph.edge(edge.from, edge.to, edge.id) as LaidEdge | undefined);
    },
  };
}

/** Moves an edge's ends onto the drawn boxes (dagre clipped them to the laid-out ones). */
function clipToBoxes(points: { x: number; y: number }[], from: Box, to: Box): { x: number; y: number }[] {
  if (points.length < 3) return points;
  const inner = points.slice(1, -1);
  return [
    boxBorder(from, inner[0] as { x: number; y: number }),
    ...inner,
    boxBorder(to, inner.at(-1) as { x: number; y: number }),
  ];
}

/**
 * Where an edge towards `point` leaves a box: through the top or bottom when the point is above
 * or below it (where dagre's ranks put almost every edge's bends), else through a side. The
 * sides are kept for the retry loops.
 */
function boxBorder(box: Box, point: { x: number; y: number }): { x: number; y: number } {
  const dx = point.x - box.x;
  const dy = point.y - box.y;
  const halfW = box.width / 2;
  const halfH = box.height / 2;
  if (Math.abs(dy) > halfH) {
    const x = box.x + (dx * halfH) / Math.abs(dy);
    return {
      x: Math.min(box.x + halfW - 8, Math.max(box.x - halfW + 8, x)),
      y: box.y + Math.sign(dy) * halfH,
    };
  }
  if (dx === 0) return point;
  return { x: box.x + Math.sign(dx) * halfW, y: box.y + (dy * halfW) / Math.abs(dx) };
}

/** A retry loop on a state's right side, out of its upper half and back into its lower half. */
function retryLoop(box: Box): string {
  const right = box.x + box.width / 2;
  const top = box.y - box.height / 4;
  const bottom = box.y + box.height / 4;
  return `M ${right} ${top} C ${right + LOOP_BULGE * 1.4} ${top - 6}, ${right + LOOP_BULGE * 1.4} ${bottom + 6}, ${right + 1} ${bottom}`;
}

/** A retry loop says how often it was taken; CheckJob's retries are the polls. */
function edgeLabel(edge: { kind: string; from: string; label: string }, count: number): string {
  if (edge.kind !== 'retry') return edge.label;
  return `${edge.from === 'CheckJob' ? 'polls' : 'retries'} ×${count}`;
}

/** The second line of a state box: what happened there. */
function note(type: string, trace: NodeTrace | undefined): string {
  if (!trace || trace.visits.length === 0) return type;
  const last = trace.visits.at(-1);
  if (trace.failed && last?.failed) return `failed: ${last.failed.error}`;
  if (trace.caught) return `caught ${trace.visits.find((v) => v.caught)?.caught?.error ?? ''}`;
  const detailType = (last?.output as { detailType?: unknown } | null)?.detailType;
  if (typeof detailType === 'string') return detailType.replace(/^Model /, '');
  if (trace.current) return 'in progress';
  return trace.visits.length > 1 ? `${type} ×${trace.visits.length}` : type;
}

/** A polyline through dagre's points, its corners rounded with quadratic curves. */
function smoothPath(points: { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M ${first.x} ${first.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const p = rest[i] as { x: number; y: number };
    const q = rest[i + 1] as { x: number; y: number };
    d += ` Q ${p.x} ${p.y} ${(p.x + q.x) / 2} ${(p.y + q.y) / 2}`;
  }
  const last = rest.at(-1);
  if (last) d += ` L ${last.x} ${last.y}`;
  return d;
}

function markers(): SVGDefsElement {
  const defs = el('defs', {}) as SVGDefsElement;
  for (const id of ['arrow', 'arrow-taken']) {
    const marker = el('marker', {
      id,
      viewBox: '0 0 10 10',
      refX: '9',
      refY: '5',
      // The same size on thin and thick edges.
      markerUnits: 'userSpaceOnUse',
      markerWidth: '10',
      markerHeight: '10',
      orient: 'auto-start-reverse',
      class: id,
    });
    marker.append(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }));
    defs.append(marker);
  }
  return defs;
}

function el(name: string, attributes: Record<string, string>): SVGElement {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

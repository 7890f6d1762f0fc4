// A process graph as SVG. The server sends nodes and edges (protocol §5.6) with positions meant
// for one UI library; they are not relied on: nodes are laid out here in layers (a node sits one
// layer right of its deepest parent), which reads well for the DAGs workflows are.
import { s } from './dom.js';
import { processState } from './format.js';

const WIDTH = 168;
const HEIGHT = 48;
const GAP_X = 72;
const GAP_Y = 22;
const PAD = 16;

/** Layer of every node: the longest path from a root (cycles, which a DAG lacks, are cut). */
export function layers(nodeIds, edges) {
  const parents = new Map(nodeIds.map((id) => [id, []]));
  for (const edge of edges) parents.get(edge.target)?.push(edge.source);
  const depth = new Map();
  const visiting = new Set();
  function visit(id) {
    if (depth.has(id)) return depth.get(id);
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let d = 0;
    for (const parent of parents.get(id) ?? []) if (parents.has(parent)) d = Math.max(d, visit(parent) + 1);
    visiting.delete(id);
    depth.set(id, d);
    return d;
  }
  for (const id of nodeIds) visit(id);
  return depth;
}

/**
 * `graph`: a ProcessGraph; `states`: process ID → state (optional); `onSelect(id)` when a node
 * is clicked or activated with the keyboard.
 */
export function graphSvg(graph, states, onSelect) {
  const nodes = graph.nodes.length > 0
    ? graph.nodes.map((n) => ({ id: n.id, label: n.data?.label || n.id.slice(0, 8) }))
    : graph.processids.map((id) => ({ id, label: id.slice(0, 8) }));
  const ids = nodes.map((n) => n.id);
  const depth = layers(ids, graph.edges);
  const columns = [];
  for (const node of nodes) (columns[depth.get(node.id)] ??= []).push(node);
  const place = new Map();
  columns.forEach((column, x) => column.forEach((node, y) => place.set(node.id, {
    x: PAD + x * (WIDTH + GAP_X), y: PAD + y * (HEIGHT + GAP_Y),
  })));
  const width = PAD * 2 + columns.length * WIDTH + Math.max(0, columns.length - 1) * GAP_X;
  const rows = Math.max(1, ...columns.map((c) => c.length));
  const height = PAD * 2 + rows * HEIGHT + (rows - 1) * GAP_Y;

  const edges = graph.edges.filter((e) => place.has(e.source) && place.has(e.target)).map((edge) => {
    const a = place.get(edge.source);
    const b = place.get(edge.target);
    const x1 = a.x + WIDTH;
    const y1 = a.y + HEIGHT / 2;
    const x2 = b.x;
    const y2 = b.y + HEIGHT / 2;
    const mid = (x1 + x2) / 2;
    return s('path', {
      class: `edge${edge.animated ? ' animated' : ''}`,
      d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 6},${y2}`,
      'marker-end': 'url(#arrow)',
    });
  });

  const boxes = nodes.map((node) => {
    const { x, y } = place.get(node.id);
    const state = states?.get(node.id);
    const tone = state === undefined ? 'unknown' : processState(state).tone;
    const label = node.label.length > 20 ? `${node.label.slice(0, 19)}…` : node.label;
    return s('g', {
      class: `node ${tone}`, tabindex: 0, role: 'button', dataset: { processid: node.id },
      'aria-label': `${node.label}: ${state === undefined ? 'state unknown' : processState(state).name}`,
      onclick: () => onSelect?.(node.id),
      onkeydown: (event) => { if (event.key === 'Enter' || event.key === ' ') onSelect?.(node.id); },
    },
    s('title', {}, `${node.label} (${node.id})`),
    s('rect', { x, y, width: WIDTH, height: HEIGHT, rx: 8 }),
    s('text', { x: x + 12, y: y + 20, class: 'label' }, label),
    s('text', { x: x + 12, y: y + 37, class: 'sub' }, state === undefined ? '' : processState(state).name));
  });

  return s('svg', {
    class: 'graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
    'aria-label': `Workflow of ${nodes.length} processes`,
  },
  s('defs', {}, s('marker', {
    id: 'arrow', viewBox: '0 0 10 10', refX: 8, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
  ...edges, ...boxes);
}

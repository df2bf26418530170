/**
 * Pure edits of a flow tree for the designer: every change returns a new tree, addressed by
 * node id (and, for branches, the block's id and the branch's index), so React state stays
 * immutable. `ROOT` names the top-level chain; `${blockId}:${index}` a branch's chain.
 */
import type { Branch, FlowNode, RequestRead, Who } from './api';

export const ROOT = 'root';
export type NewKind = 'approver' | 'handler' | 'cc' | 'condition' | 'parallel';
export type NodeState = 'done' | 'current' | 'skipped' | 'future';

let counter = 0;
function newId(kind: string): string {
  counter += 1;
  return `${kind}_${Date.now().toString(36)}${counter}`;
}

export function newNode(kind: NewKind, name: string): FlowNode {
  const label = { zh: name, en: '' };
  if (kind === 'condition')
    return {
      type: 'condition',
      id: newId('cond'),
      branches: [
        { name: { zh: '条件 1', en: 'Condition 1' }, when: [], nodes: [] },
        { name: { zh: '其他情况', en: 'Otherwise' }, when: [], nodes: [] },
      ],
    };
  if (kind === 'parallel')
    return {
      type: 'parallel',
      id: newId('par'),
      branches: [
        { name: { zh: '分支 1', en: 'Branch 1' }, nodes: [] },
        { name: { zh: '分支 2', en: 'Branch 2' }, nodes: [] },
      ],
    };
  if (kind === 'approver')
    return { type: 'approver', id: newId('approver'), name: label, who: [{ kind: 'dept_head', level: 1 }], mode: 'sequence', on_empty: 'admin' };
  if (kind === 'handler') return { type: 'handler', id: newId('handler'), name: label, who: [{ kind: 'submitter_picks' }] };
  return { type: 'cc', id: newId('cc'), name: label, who: [{ kind: 'people', people: [] }] };
}

function mapBranches(node: FlowNode, fn: (nodes: FlowNode[]) => FlowNode[]): FlowNode {
  if (node.type !== 'condition' && node.type !== 'parallel') return node;
  return { ...node, branches: node.branches.map((b) => ({ ...b, nodes: fn(b.nodes) })) };
}

/** Apply `fn` to the chain named `chain`. */
export function editChain(nodes: FlowNode[], chain: string, fn: (nodes: FlowNode[]) => FlowNode[]): FlowNode[] {
  if (chain === ROOT) return fn(nodes);
  const [blockId, index] = chain.split(':');
  return nodes.map((n) => {
    if (n.id === blockId && (n.type === 'condition' || n.type === 'parallel')) {
      return { ...n, branches: n.branches.map((b, i) => (i === Number(index) ? { ...b, nodes: fn(b.nodes) } : b)) };
    }
    return mapBranches(n, (inner) => editChain(inner, chain, fn));
  });
}

export function insertNode(nodes: FlowNode[], chain: string, index: number, node: FlowNode): FlowNode[] {
  return editChain(nodes, chain, (list) => [...list.slice(0, index), node, ...list.slice(index)]);
}

export function updateNode(nodes: FlowNode[], id: string, fn: (node: FlowNode) => FlowNode): FlowNode[] {
  return nodes.map((n) => (n.id === id ? fn(n) : mapBranches(n, (inner) => updateNode(inner, id, fn))));
}

export function removeNode(nodes: FlowNode[], id: string): FlowNode[] {
  return nodes.filter((n) => n.id !== id).map((n) => mapBranches(n, (inner) => removeNode(inner, id)));
}

export function findNode(nodes: FlowNode[], id: string): FlowNode | null {
  for (const n of nodes) {
    if (n.id === id) return n;
    if (n.type === 'condition' || n.type === 'parallel') {
      for (const b of n.branches) {
        const found = findNode(b.nodes, id);
        if (found) return found;
      }
    }
  }
  return null;
}

/** A new branch: before the default one in a condition block (the default stays last). */
export function addBranch(nodes: FlowNode[], blockId: string): FlowNode[] {
  return updateNode(nodes, blockId, (n) => {
    if (n.type !== 'condition' && n.type !== 'parallel') return n;
    const at = n.type === 'condition' ? n.branches.length - 1 : n.branches.length;
    const branch: Branch = { name: { zh: `分支 ${at + 1}`, en: `Branch ${at + 1}` }, when: [], nodes: [] };
    return { ...n, branches: [...n.branches.slice(0, at), branch, ...n.branches.slice(at)] };
  });
}

export function updateBranch(nodes: FlowNode[], blockId: string, index: number, fn: (b: Branch) => Branch): FlowNode[] {
  return updateNode(nodes, blockId, (n) =>
    n.type === 'condition' || n.type === 'parallel' ? { ...n, branches: n.branches.map((b, i) => (i === index ? fn(b) : b)) } : n,
  );
}

export function whoText(who: Who[], t: (k: string, o?: Record<string, unknown>) => string): string {
  return who
    .map((w) => {
      switch (w.kind) {
        case 'people':
          return t('approvals.who.peopleCount', { count: w.people?.length ?? 0 });
        case 'title':
          return (w.titles ?? []).join('、');
        case 'manager':
          return t('approvals.who.managerN', { level: w.level ?? 1 });
        case 'dept_head':
          return t('approvals.who.deptHeadN', { level: w.level ?? 1 });
        case 'field':
          return t('approvals.who.fieldOf', { field: w.field ?? '' });
        default:
          return t('approvals.who.submitter_picks');
      }
    })
    .join(' + ');
}

/** Where each node of a request stands, from its finished ids and its open tasks. */
export function nodeStates(request: Pick<RequestRead, 'route' | 'done' | 'tasks'>): Record<string, NodeState> {
  const open = new Set(request.tasks.filter((t) => t.status === 'open' || t.status === 'waiting').map((t) => t.node_id));
  const done = new Set(request.done);
  const states: Record<string, NodeState> = {};
  for (const n of request.route) {
    if (done.has(n.id)) states[n.id] = n.skipped && n.type !== 'cc' ? 'skipped' : 'done';
    else if (open.has(n.id)) states[n.id] = 'current';
    else states[n.id] = 'future';
  }
  return states;
}

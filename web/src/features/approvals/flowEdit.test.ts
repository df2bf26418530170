import { describe, expect, it } from 'vitest';
import type { FlowNode } from './api';
import { addBranch, findNode, insertNode, newNode, nodeStates, removeNode, ROOT, updateBranch, updateNode } from './flowEdit';

const approver = (id: string): FlowNode => ({ type: 'approver', id, name: { zh: id }, who: [{ kind: 'manager', level: 1 }] });

describe('flow edits', () => {
  const cond: FlowNode = {
    type: 'condition',
    id: 'c',
    branches: [
      { name: { zh: '大额' }, when: [{ left: 'amount', op: 'gt', value: 5000 }], nodes: [approver('a')] },
      { name: { zh: '其他' }, when: [], nodes: [] },
    ],
  };
  const tree: FlowNode[] = [approver('head'), cond];

  it('inserts into a branch without touching the original tree', () => {
    const next = insertNode(tree, 'c:1', 0, approver('b'));
    expect(findNode(next, 'b')).not.toBeNull();
    expect(findNode(tree, 'b')).toBeNull();
    expect(insertNode(tree, ROOT, 0, approver('x'))[0].id).toBe('x');
  });

  it('removes and updates nested nodes', () => {
    expect(findNode(removeNode(tree, 'a'), 'a')).toBeNull();
    const renamed = updateNode(tree, 'a', (n) => ({ ...n, name: { zh: '财务' } }) as FlowNode);
    expect((findNode(renamed, 'a') as { name: { zh: string } }).name.zh).toBe('财务');
  });

  it('keeps the default branch last when adding one', () => {
    const next = addBranch(tree, 'c');
    const block = findNode(next, 'c');
    expect(block?.type === 'condition' && block.branches.map((b) => b.name.zh)).toEqual(['大额', '分支 2', '其他']);
    const edited = updateBranch(next, 'c', 1, (b) => ({ ...b, name: { zh: '中额' } }));
    const after = findNode(edited, 'c');
    expect(after?.type === 'condition' && after.branches[1].name.zh).toBe('中额');
  });

  it('makes unique ids', () => {
    expect(newNode('approver', '审批人').id).not.toBe(newNode('approver', '审批人').id);
  });

  it('tells where a request stands', () => {
    const states = nodeStates({
      route: [
        { id: 'head', type: 'approver', name: '', mode: 'sequence', people: [{ id: 1, name: '王' }], skipped: false },
        { id: 'fin', type: 'approver', name: '', mode: 'all', people: [], skipped: true },
        { id: 'cc', type: 'cc', name: '', mode: 'sequence', people: [{ id: 2, name: '孙' }], skipped: false },
      ],
      done: ['head', 'fin'],
      tasks: [],
    });
    expect(states).toEqual({ head: 'done', fin: 'skipped', cc: 'future' });
  });
});

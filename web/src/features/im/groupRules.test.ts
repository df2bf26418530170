import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/ApiError';
import { departmentTree, joinErrorKey, joinUrl, linkExpired, memberActions } from './groupRules';
import type { MemberRead } from './types';

const member = (person_id: number, role: MemberRead['role'] = 'member'): MemberRead => ({
  person_id,
  name: `p${person_id}`,
  role,
  read_seq: 0,
});

describe('joinUrl and linkExpired', () => {
  it('builds the page address and escapes the token', () => {
    expect(joinUrl('https://oa.example', 'a/b')).toBe('https://oa.example/im/join/a%2Fb');
  });

  it('treats a link without an expiry as alive', () => {
    const now = new Date('2026-12-02T08:00:00Z');
    expect(linkExpired(null, now)).toBe(false);
    expect(linkExpired('2026-12-02T07:59:59Z', now)).toBe(true);
    expect(linkExpired('2026-12-09T08:00:00Z', now)).toBe(false);
  });
});

describe('memberActions', () => {
  it('lets the owner promote, demote, hand over and remove', () => {
    expect(memberActions('group', 'owner', 1, member(2))).toEqual(['makeAdmin', 'transfer', 'remove']);
    expect(memberActions('group', 'owner', 1, member(2, 'admin'))).toEqual(['removeAdmin', 'transfer', 'remove']);
  });

  it('lets admins only remove, and nobody touch the owner or themselves', () => {
    expect(memberActions('group', 'admin', 1, member(2))).toEqual(['remove']);
    expect(memberActions('group', 'admin', 1, member(3, 'owner'))).toEqual([]);
    expect(memberActions('group', 'owner', 1, member(1, 'owner'))).toEqual([]);
    expect(memberActions('group', 'member', 1, member(2))).toEqual([]);
  });

  it('never removes anyone from a department group or a 1:1', () => {
    expect(memberActions('department', 'owner', 1, member(2))).toEqual(['makeAdmin', 'transfer']);
    expect(memberActions('department', 'admin', 1, member(2))).toEqual([]);
    expect(memberActions('direct', 'member', 1, member(2))).toEqual([]);
  });
});

describe('joinErrorKey', () => {
  it('names expired and turned-off links, and leaves other errors to the server message', () => {
    expect(joinErrorKey(new ApiError(410, { code: 'im_link_expired', message: 'x' }))).toBe('im.join.expired');
    expect(joinErrorKey(new ApiError(404, { code: 'im_link_invalid', message: 'x' }))).toBe('im.join.invalid');
    expect(joinErrorKey(new ApiError(409, { code: 'im_group_full', message: 'x' }))).toBeNull();
    expect(joinErrorKey(new Error('network'))).toBeNull();
  });
});

describe('departmentTree', () => {
  const chart = [
    { id: 1, name: '县政府', parent_id: null },
    { id: 2, name: '大数据中心', parent_id: 1 },
    { id: 3, name: '农业农村局', parent_id: 1 },
    { id: 4, name: '运维组', parent_id: 2 },
  ];

  it('gives an org admin every department', () => {
    const tree = departmentTree(chart, true, []);
    expect(tree).toHaveLength(1);
    expect(tree[0].disabled).toBe(false);
    expect(tree[0].children.map((n) => n.title)).toEqual(['大数据中心', '农业农村局']);
  });

  it('gives a department admin their departments, under greyed-out ancestors', () => {
    const tree = departmentTree(chart, false, [2, 4]);
    expect(tree[0]).toMatchObject({ value: 1, disabled: true });
    expect(tree[0].children).toHaveLength(1);
    expect(tree[0].children[0]).toMatchObject({ value: 2, disabled: false });
    expect(tree[0].children[0].children[0]).toMatchObject({ value: 4, disabled: false });
  });
});

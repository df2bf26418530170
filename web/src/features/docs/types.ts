import type { components } from '../../api/schema';

type S = components['schemas'];
export type DocumentRead = S['DocumentRead'];
export type GrantRead = S['DocGrantRead'];
export type CommentRead = S['CommentRead'];
export type VersionRead = S['VersionRead'];
export type DiffLine = S['DiffLine'];
export type DocSearchHit = S['DocSearchHit'];
export type Role = DocumentRead['my_role'];
export type GrantRole = GrantRead['role'];
export type Scope = 'mine' | 'shared' | 'recent' | 'starred';

import { api } from '../../api/client';
import type { components } from '../../api/schema';

type S = components['schemas'];
export type TemplateSummary = S['ApprovalTemplateSummary'];
export type TemplateRead = Omit<S['ApprovalTemplateRead'], 'schema' | 'flow'> & { schema: FormSchema; flow: FlowJson };
export type BuiltinRead = S['BuiltinRead'];
export type RequestSummary = S['RequestSummary'];
export type RequestPage = S['RequestPage'];
export type RequestRead = Omit<S['RequestRead'], 'schema'> & { schema: FormSchema };
export type RouteNode = S['RouteNode'];
export type ActionRead = S['ActionRead'];
export type Counts = S['ApprovalCounts'];
export type Box = 'pending' | 'processed' | 'submitted' | 'cc';

/** The forms capability's schema, as the server stores it (see src/tongban/forms/schema.py). */
export interface Label {
  zh: string;
  en?: string;
}
export interface FormField {
  key: string;
  type: string;
  label: Label;
  required?: boolean;
  min?: number;
  max?: number;
  max_length?: number;
  precision?: number;
  unit?: string;
  options?: { value: string; label: Label }[];
  default?: unknown;
}
export interface FormSchema {
  fields: FormField[];
}

/** The flow (see src/tongban/approvals/flow.py). */
export interface Who {
  kind: 'people' | 'title' | 'manager' | 'dept_head' | 'field' | 'submitter_picks';
  people?: number[];
  titles?: string[];
  level?: number;
  field?: string | null;
}
export interface Condition {
  left: string;
  op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'filled' | 'empty';
  value?: unknown;
}
export interface Branch {
  name: Label;
  when?: Condition[];
  nodes: FlowNode[];
}
export type FlowNode =
  | { type: 'approver'; id: string; name: Label; who: Who[]; mode?: 'sequence' | 'all' | 'any'; on_empty?: string }
  | { type: 'handler'; id: string; name: Label; who: Who[]; on_empty?: string }
  | { type: 'cc'; id: string; name: Label; who: Who[] }
  | { type: 'condition'; id: string; branches: Branch[] }
  | { type: 'parallel'; id: string; branches: Branch[] };
export interface FlowJson {
  nodes: FlowNode[];
}

export interface ActionBody {
  comment?: string;
  signature_file_id?: string | null;
  attachments?: string[];
}

export const approvalKeys = {
  all: ['approvals'] as const,
  templates: ['approvals', 'templates'] as const,
  template: (id: number) => ['approvals', 'template', id] as const,
  builtins: ['approvals', 'builtins'] as const,
  box: (box: Box, q: string) => ['approvals', 'box', box, q] as const,
  counts: ['approvals', 'counts'] as const,
  request: (id: number) => ['approvals', 'request', id] as const,
};

const t = (id: number) => `/api/approvals/tasks/${id}`;
const r = (id: number) => `/api/approvals/requests/${id}`;

export const approvalsApi = {
  templates: () => api.get<TemplateSummary[]>('/api/approvals/templates'),
  template: (id: number) => api.get<TemplateRead>(`/api/approvals/templates/${id}`),
  saveTemplate: (id: number, body: unknown) => api.put<TemplateRead>(`/api/approvals/templates/${id}`, body),
  createTemplate: (body: unknown) => api.post<TemplateRead>('/api/approvals/templates', body),
  archive: (id: number, archived: boolean) =>
    api.post<TemplateSummary>(`/api/approvals/templates/${id}/archive`, { archived }),
  builtins: () => api.get<BuiltinRead[]>('/api/approvals/builtins'),
  install: (key: string) => api.post<TemplateRead>('/api/approvals/builtins/install', { key }),
  box: (box: Box, q: string, cursor?: number) =>
    api.get<RequestPage>('/api/approvals/requests', { query: { box, q: q || undefined, cursor } }),
  counts: () => api.get<Counts>('/api/approvals/counts'),
  request: (id: number) => api.get<RequestRead>(r(id)),
  submit: (template_id: number, values: Record<string, unknown>, picks: Record<string, number[]> = {}) =>
    api.post<RequestRead>('/api/approvals/requests', { template_id, values, picks }),
  resubmit: (id: number, values: Record<string, unknown>) => api.post<RequestRead>(`${r(id)}/resubmit`, { values }),
  withdraw: (id: number) => api.post<RequestRead>(`${r(id)}/withdraw`),
  urge: (id: number) => api.post<{ reminded: number }>(`${r(id)}/urge`),
  approve: (task: number, body: ActionBody) => api.post<RequestRead>(`${t(task)}/approve`, body),
  reject: (task: number, body: ActionBody) => api.post<RequestRead>(`${t(task)}/reject`, body),
  return: (task: number, body: ActionBody & { node_id?: string | null }) =>
    api.post<RequestRead>(`${t(task)}/return`, body),
  transfer: (task: number, body: ActionBody & { person_id: number }) =>
    api.post<RequestRead>(`${t(task)}/transfer`, body),
  addSigner: (task: number, body: ActionBody & { person_id: number; position: 'before' | 'after' }) =>
    api.post<RequestRead>(`${t(task)}/add-signer`, body),
  markRead: (id: number) => api.post<void>(`${r(id)}/read`),
  recordUrl: (id: number) => `${r(id)}/record.pdf`,
};

export function labelText(label: Label | undefined, lang: string): string {
  if (!label) return '';
  return lang === 'en-US' && label.en ? label.en : label.zh;
}

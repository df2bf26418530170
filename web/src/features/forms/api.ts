import { buildUrl, client, unwrap } from '../../api/client';
import type { FormSchema, TaskCreate, Values } from './types';

export const formsKeys = {
  all: ['forms'] as const,
  apps: ['forms', 'apps'] as const,
  app: (id: number) => ['forms', 'app', id] as const,
  templates: ['forms', 'templates'] as const,
  form: (id: number) => ['forms', 'form', id] as const,
  submissions: (id: number, query: object) => ['forms', 'submissions', id, query] as const,
  stats: (id: number, query: object) => ['forms', 'stats', id, query] as const,
  tasks: ['forms', 'tasks'] as const,
  formTasks: (id: number) => ['forms', 'form-tasks', id] as const,
  task: (id: number) => ['forms', 'task', id] as const,
};

export interface StatsQuery {
  group_by: string[];
  measure: string[];
  task_id?: number;
  filters?: string;
}

export const formsApi = {
  apps: () => unwrap(client.GET('/api/forms/apps')),
  app: (id: number) => unwrap(client.GET('/api/forms/apps/{app_id}', { params: { path: { app_id: id } } })),
  createApp: (name: string) => unwrap(client.POST('/api/forms/apps', { body: { name } })),
  templates: () => unwrap(client.GET('/api/forms/templates')),
  install: (template: string) => unwrap(client.POST('/api/forms/templates/install', { body: { template } })),
  createForm: (appId: number, name: string) =>
    unwrap(client.POST('/api/forms/apps/{app_id}/forms', { params: { path: { app_id: appId } }, body: { name } })),
  form: (id: number) => unwrap(client.GET('/api/forms/forms/{form_id}', { params: { path: { form_id: id } } })),
  saveDraft: (id: number, schema: FormSchema, name?: string) =>
    unwrap(
      client.PUT('/api/forms/forms/{form_id}/draft', {
        params: { path: { form_id: id } },
        body: { schema, name: name ?? null },
      }),
    ),
  publish: (id: number) =>
    unwrap(client.POST('/api/forms/forms/{form_id}/publish', { params: { path: { form_id: id } } })),
  submit: (id: number, values: Values, taskId?: number) =>
    unwrap(
      client.POST('/api/forms/forms/{form_id}/submissions', {
        params: { path: { form_id: id } },
        body: { values, task_id: taskId ?? null },
      }),
    ),
  submissions: (
    id: number,
    query: { q?: string; task_id?: number; order?: string; filters?: string; offset?: number; limit?: number },
  ) =>
    unwrap(
      client.GET('/api/forms/forms/{form_id}/submissions', {
        params: { path: { form_id: id }, query },
      }),
    ),
  stats: (id: number, query: StatsQuery) =>
    unwrap(client.GET('/api/forms/forms/{form_id}/stats', { params: { path: { form_id: id }, query } })),
  exportUrl: (id: number, query: { subtables: 'sheets' | 'flat'; task_id?: number; group_by?: string[]; measure?: string[] }) => {
    const base = buildUrl(`/api/forms/forms/${id}/export.xlsx`, { subtables: query.subtables, task_id: query.task_id });
    const extra = [
      ...(query.group_by ?? []).map((g) => `group_by=${encodeURIComponent(g)}`),
      ...(query.measure ?? []).map((m) => `measure=${encodeURIComponent(m)}`),
    ];
    return extra.length ? `${base}${base.includes('?') ? '&' : '?'}${extra.join('&')}` : base;
  },
  myTasks: () => unwrap(client.GET('/api/forms/tasks')),
  formTasks: (id: number) =>
    unwrap(client.GET('/api/forms/forms/{form_id}/tasks', { params: { path: { form_id: id } } })),
  task: (id: number) => unwrap(client.GET('/api/forms/tasks/{task_id}', { params: { path: { task_id: id } } })),
  createTask: (formId: number, body: TaskCreate) =>
    unwrap(client.POST('/api/forms/forms/{form_id}/tasks', { params: { path: { form_id: formId } }, body })),
  remind: (id: number) =>
    unwrap(client.POST('/api/forms/tasks/{task_id}/remind', { params: { path: { task_id: id } } })),
};

import { client, unwrap } from '../../api/client';
import type { DepartmentCreate, DepartmentUpdate, PeopleQuery, PersonCreate, PersonUpdate } from '../../api/types';

export const orgKeys = {
  all: ['org'] as const,
  departments: ['org', 'departments'] as const,
  people: (query: PeopleQuery) => ['org', 'people', query] as const,
  person: (id: number) => ['org', 'person', id] as const,
  presence: (ids: number[]) => ['org', 'presence', ids] as const,
};

const person = (id: number) => ({ params: { path: { person_id: id } } });
const department = (id: number) => ({ params: { path: { department_id: id } } });

export const orgApi = {
  departments: () => unwrap(client.GET('/api/org/departments')),
  createDepartment: (body: DepartmentCreate) => unwrap(client.POST('/api/org/departments', { body })),
  updateDepartment: (id: number, body: DepartmentUpdate) =>
    unwrap(client.PATCH('/api/org/departments/{department_id}', { ...department(id), body })),
  deleteDepartment: (id: number) => unwrap(client.DELETE('/api/org/departments/{department_id}', department(id))),
  people: (query: PeopleQuery) => unwrap(client.GET('/api/org/people', { params: { query } })),
  person: (id: number) => unwrap(client.GET('/api/org/people/{person_id}', person(id))),
  createPerson: (body: PersonCreate) => unwrap(client.POST('/api/org/people', { body })),
  updatePerson: (id: number, body: PersonUpdate) =>
    unwrap(client.PATCH('/api/org/people/{person_id}', { ...person(id), body })),
  deactivate: (id: number) => unwrap(client.POST('/api/org/people/{person_id}/deactivate', person(id))),
  reactivate: (id: number) => unwrap(client.POST('/api/org/people/{person_id}/reactivate', person(id))),
  presence: (ids: number[]) => unwrap(client.GET('/api/org/presence', { params: { query: { ids: ids.join(',') } } })),
  importOrg: (file: File, dryRun: boolean) =>
    unwrap(
      client.POST('/api/org/import', {
        params: { query: { dry_run: dryRun } },
        // The schema says `file: string` (binary); the browser sends the File itself.
        body: { file: file as unknown as string },
        bodySerializer: (body) => {
          const form = new FormData();
          form.append('file', body.file as unknown as File);
          return form;
        },
      }),
    ),
};

export const IMPORT_TEMPLATE_URL = '/api/org/import/template.csv';

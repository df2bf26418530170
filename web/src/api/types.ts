// Shapes of the API. Most come from the generated `schema.d.ts` (`npm run gen:api` after the
// backend's schema changes); the rest are hand-written until the backend publishes them.
import type { components } from './schema';

type Schemas = components['schemas'];

export type Locale = Schemas['Me']['locale'];
export type Role = 'org_admin' | 'dept_admin' | 'member';
export type Presence = Schemas['PersonRead']['presence'];

export type DepartmentRef = Schemas['DepartmentRef'];
export type Me = Schemas['Me'];
export type MeUpdate = Schemas['MeUpdate'];
export type LoginRequest = Schemas['LoginRequest'];
export type PasswordChange = Schemas['PasswordChange'];
export type AccessToken = Schemas['TokenRead'];
export type AccessTokenCreated = Schemas['TokenCreated'];
export type AccessTokenCreate = Schemas['TokenCreate'];
export type Department = Schemas['DepartmentRead'];
export type DepartmentCreate = Schemas['DepartmentCreate'];
export type DepartmentUpdate = Schemas['DepartmentUpdate'];
export type PersonSummary = Schemas['PersonSummary'];
export type Page<T> = { items: T[]; next_cursor?: string | null };
export type WorkingHours = Schemas['WorkingHours'];
export type PersonDepartment = Schemas['DepartmentPathRef'];
export type Person = Schemas['PersonRead'];
export type PersonCreate = Schemas['PersonCreate'];
export type PersonUpdate = Schemas['PersonUpdate'];
export type ImportError = Schemas['ImportRowError'];
export type ImportReport = Schemas['ImportReport'];

export interface PeopleQuery {
  q?: string;
  department_id?: number;
  include_sub?: boolean;
  include_inactive?: boolean;
  cursor?: string;
  limit?: number;
}

export type Notification = Schemas['NotificationRead'];
export type NotifySettings = Schemas['NotificationSettingsRead'];
export type StoredFile = Schemas['FileRead'];

export interface FieldErrorBody {
  field: string;
  code: string;
  message: string;
}

export interface ErrorBody {
  code: string;
  message: string;
  fields?: FieldErrorBody[];
}

// Shapes of /api/forms, from the generated schema.
import type { components } from '../../api/schema';

type Schemas = components['schemas'];

export type FormSchema = Schemas['FormSchema-Input'];
export type FormField = Schemas['FormField-Input'];
export type FieldType = FormField['type'];
export type Option = Schemas['Option'];
export type Label = Schemas['Label'];
export type AppRead = Schemas['AppRead'];
export type AppDetail = Schemas['AppDetail'];
export type FormRead = Schemas['FormRead'];
export type TemplateRead = Schemas['TemplateRead'];
export type SubmissionRead = Schemas['SubmissionRead'];
export type SubmissionPage = Schemas['SubmissionPage'];
export type TaskRead = Schemas['TaskRead'];
export type TaskDetail = Schemas['TaskDetail'];
export type TaskCreate = Schemas['TaskCreate'];
export type StatsRead = Schemas['StatsRead'];
export type StatField = Schemas['StatField'];

export type Values = Record<string, unknown>;

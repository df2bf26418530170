import type { components } from '../../api/schema';

type Schemas = components['schemas'];

export type CalendarRead = Schemas['CalendarRead'];
export type CalendarCreate = Schemas['CalendarCreate'];
export type EventRead = Schemas['EventRead'];
export type EventCreate = Schemas['EventCreate'];
export type EventUpdate = Schemas['EventUpdate'];
export type OccurrenceRead = Schemas['OccurrenceRead'];
export type AttendeeRead = Schemas['AttendeeRead'];
export type RoomRead = Schemas['RoomRead'];
export type RsvpStatus = Schemas['RsvpIn']['status'];
export type AssistantIn = Schemas['AssistantIn'];
export type AssistantRead = Schemas['AssistantRead'];
export type Slot = Schemas['Slot'];
export type ImportReport = Schemas['CalendarImportReport'];
export type ChatShareIn = Schemas['CalendarChatShareIn'];
export type ChatShareRead = Schemas['CalendarChatShareRead'];
export type Scope = 'all' | 'this' | 'following';

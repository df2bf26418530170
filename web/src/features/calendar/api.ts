import { api, request } from '../../api/client';
import type {
  AssistantIn,
  AssistantRead,
  CalendarCreate,
  CalendarRead,
  ChatShareIn,
  ChatShareRead,
  EventCreate,
  EventRead,
  EventUpdate,
  ImportReport,
  OccurrenceRead,
  RoomRead,
  RsvpStatus,
  Scope,
} from './types';

export const calendarKeys = {
  all: ['calendar'] as const,
  calendars: ['calendar', 'calendars'] as const,
  window: (start: string, end: string) => ['calendar', 'events', start, end] as const,
  event: (id: number) => ['calendar', 'event', id] as const,
  rooms: ['calendar', 'rooms'] as const,
};

const e = (id: number) => `/api/calendar/events/${id}`;

export interface OccurrenceRef {
  scope: Scope;
  occurrence?: string;
}

export const calendarApi = {
  calendars: () => api.get<CalendarRead[]>('/api/calendar/calendars'),
  createCalendar: (body: CalendarCreate) => api.post<CalendarRead>('/api/calendar/calendars', body),
  setMine: (id: number, body: { visible?: boolean; color?: string }) =>
    api.patch<CalendarRead>(`/api/calendar/calendars/${id}/me`, body),
  subscribe: (personId: number) => api.post<CalendarRead>('/api/calendar/subscriptions', { person_id: personId }),
  unsubscribe: (id: number) => api.delete(`/api/calendar/calendars/${id}/me`),
  rotateFeed: (id: number) => api.post<{ url: string }>(`/api/calendar/calendars/${id}/feed`),
  importIcs: (id: number, file: File, confirm: boolean) => {
    const formData = new FormData();
    formData.append('file', file);
    return request<ImportReport>('POST', `/api/calendar/calendars/${id}/import`, {
      formData,
      query: { confirm },
    });
  },
  occurrences: (start: string, end: string) =>
    api.get<OccurrenceRead[]>('/api/calendar/events', { query: { start, end } }),
  event: (id: number) => api.get<EventRead>(e(id)),
  createEvent: (body: EventCreate) => api.post<EventRead>('/api/calendar/events', body),
  updateEvent: (id: number, body: EventUpdate, ref: OccurrenceRef) =>
    api.patch<EventRead>(e(id), body, { query: { scope: ref.scope, occurrence: ref.occurrence } }),
  deleteEvent: (id: number, ref: OccurrenceRef) =>
    api.delete(e(id), { query: { scope: ref.scope, occurrence: ref.occurrence } }),
  rsvp: (id: number, status: RsvpStatus, note: string) => api.post<EventRead>(`${e(id)}/rsvp`, { status, note }),
  shareToChat: (id: number, body: ChatShareIn) => api.post<ChatShareRead>(`${e(id)}/share`, body),
  rooms: () => api.get<RoomRead[]>('/api/calendar/rooms'),
  assistant: (body: AssistantIn) => api.post<AssistantRead>('/api/calendar/assistant', body),
};

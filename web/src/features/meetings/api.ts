import { api, buildUrl } from '../../api/client';
import type {
  MeetingAttendance,
  MeetingCheckinIn,
  MeetingCheckinIntro,
  MeetingCheckinResult,
  MeetingCreate,
  MeetingDisplayCode,
  MeetingJoinInfo,
  MeetingRead,
  MeetingUpdate,
} from './types';

export const meetingsKeys = {
  all: ['meetings'] as const,
  list: ['meetings', 'list'] as const,
  meeting: (id: number) => ['meetings', 'meeting', id] as const,
  attendance: (id: number) => ['meetings', 'attendance', id] as const,
  display: (id: number) => ['meetings', 'display', id] as const,
  intro: (id: number, token: string) => ['meetings', 'intro', id, token] as const,
};

const m = (id: number) => `/api/meetings/${id}`;

export const meetingsApi = {
  list: () => api.get<MeetingRead[]>('/api/meetings'),
  create: (body: MeetingCreate) => api.post<MeetingRead>('/api/meetings', body),
  byNumber: (number: string) => api.get<MeetingJoinInfo>(`/api/meetings/by-number/${encodeURIComponent(number)}`),
  get: (id: number) => api.get<MeetingRead>(m(id)),
  update: (id: number, body: MeetingUpdate) => api.patch<MeetingRead>(m(id), body),
  remove: (id: number) => api.delete(m(id)),
  rotateSecret: (id: number) => api.post<void>(`${m(id)}/secret`),
  display: (id: number) => api.get<MeetingDisplayCode>(`${m(id)}/display`),
  intro: (id: number, token: string) => api.get<MeetingCheckinIntro>(`${m(id)}/checkin`, { query: { t: token } }),
  checkin: (id: number, body: MeetingCheckinIn) => api.post<MeetingCheckinResult>(`${m(id)}/checkin`, body),
  attendance: (id: number) => api.get<MeetingAttendance>(`${m(id)}/attendance`),
  manualCheckin: (id: number, personId: number) =>
    api.post<MeetingCheckinResult>(`${m(id)}/attendance`, { person_id: personId }),
  undoCheckin: (id: number, personId: number) => api.delete(`${m(id)}/attendance/${personId}`),
  pngUrl: (id: number) => buildUrl(`${m(id)}/qr.png`),
  pdfUrl: (id: number) => buildUrl(`${m(id)}/qr.pdf`),
  xlsxUrl: (id: number) => buildUrl(`${m(id)}/attendance.xlsx`),
};

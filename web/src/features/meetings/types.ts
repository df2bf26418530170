import type { components } from '../../api/schema';

type Schemas = components['schemas'];

export type MeetingRead = Schemas['MeetingRead'];
export type MeetingCreate = Schemas['MeetingCreate'];
export type MeetingUpdate = Schemas['MeetingUpdate'];
export type MeetingAttendance = Schemas['MeetingAttendance'];
export type MeetingAttendee = Schemas['MeetingAttendee'];
export type MeetingDepartmentCount = Schemas['MeetingDepartmentCount'];
export type MeetingDisplayCode = Schemas['MeetingDisplayCode'];
export type MeetingCheckinIntro = Schemas['MeetingCheckinIntro'];
export type MeetingCheckinResult = Schemas['MeetingCheckinResult'];
export type MeetingCheckinIn = Schemas['MeetingCheckinIn'];
export type MeetingJoinInfo = Schemas['MeetingJoinInfo'];

/** `meetings.checked_in` on the organiser's event stream. */
export interface MeetingCheckedInEvent {
  type: 'meetings.checked_in';
  meeting_id: number;
  person_id: number;
  name: string;
  checked_in_at: string;
  walk_in: boolean;
  flagged: boolean;
  method: string;
  checked_in: number;
}

import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { subscribeResync, subscribeStream } from '../../realtime/streamListeners';
import { meetingsKeys } from './api';
import type { MeetingCheckedInEvent } from './types';

/** Keep a meeting's count and attendance fresh from the event stream while a page shows it. */
export function useMeetingEvents(meetingId: number, onCheckedIn?: (event: MeetingCheckedInEvent) => void): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const refresh = () => {
      void queryClient.invalidateQueries({ queryKey: meetingsKeys.attendance(meetingId) });
      void queryClient.invalidateQueries({ queryKey: meetingsKeys.meeting(meetingId) });
    };
    const off = subscribeStream((event) => {
      if (event.meeting_id !== meetingId) return;
      if (event.type === 'meetings.checked_in') {
        onCheckedIn?.(event as unknown as MeetingCheckedInEvent);
        refresh();
      } else if (event.type === 'meetings.changed') {
        refresh();
      }
    });
    const offResync = subscribeResync(refresh);
    return () => {
      off();
      offResync();
    };
  }, [meetingId, onCheckedIn, queryClient]);
}

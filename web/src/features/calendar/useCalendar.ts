import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { subscribeStream } from '../../realtime/streamListeners';
import { calendarApi, calendarKeys } from './api';

export function useCalendars() {
  return useQuery({ queryKey: calendarKeys.calendars, queryFn: calendarApi.calendars });
}

export function useOccurrences(range: { start: string; end: string } | null) {
  return useQuery({
    queryKey: calendarKeys.window(range?.start ?? '', range?.end ?? ''),
    queryFn: () => calendarApi.occurrences(range!.start, range!.end),
    enabled: range !== null,
    // Keep the old week on screen while the next one loads, so the grid does not flash empty.
    placeholderData: keepPreviousData,
  });
}

export function useRooms() {
  return useQuery({ queryKey: calendarKeys.rooms, queryFn: calendarApi.rooms, staleTime: 60_000 });
}

/** Invitations, answers and changes made elsewhere refresh what this tab shows. */
export function useCalendarEvents(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      subscribeStream((event) => {
        if (event.type === 'calendar.changed') void queryClient.invalidateQueries({ queryKey: calendarKeys.all });
      }),
    [queryClient],
  );
}

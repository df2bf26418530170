import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { subscribeStream } from '../../realtime/streamListeners';
import { minutesKeys } from './api';
import type { MinutesProgress, MinutesRead, MinutesTranscriptOut } from './types';

/** Live progress and new segments from the event stream, written straight into the query cache. */
export function useMinutesEvents(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      subscribeStream((raw) => {
        if (raw.type !== 'minutes.progress') return;
        const event = raw as unknown as MinutesProgress;
        const patch = (m: MinutesRead): MinutesRead =>
          m.id === event.minutes_id
            ? { ...m, status: event.status, progress: event.progress, error: event.error, error_code: event.error_code }
            : m;
        queryClient.setQueryData<MinutesRead[]>(minutesKeys.list, (list) => list?.map(patch));
        queryClient.setQueryData<MinutesRead>(minutesKeys.one(event.minutes_id), (m) => (m ? patch(m) : m));
        const segment = event.segment;
        if (segment) {
          queryClient.setQueryData<MinutesTranscriptOut>(minutesKeys.transcript(event.minutes_id), (t) =>
            t && !t.segments.some((s) => s.id === segment.id)
              ? { ...t, status: event.status, segments: [...t.segments, segment] }
              : t,
          );
        }
        if (event.status === 'done' || event.status === 'failed' || event.status === 'cancelled' || event.status === 'queued') {
          // Keywords, key points and a cleared transcript arrive with the full record.
          void queryClient.invalidateQueries({ queryKey: minutesKeys.one(event.minutes_id) });
          void queryClient.invalidateQueries({ queryKey: minutesKeys.transcript(event.minutes_id) });
          void queryClient.invalidateQueries({ queryKey: minutesKeys.list });
        }
      }),
    [queryClient],
  );
}

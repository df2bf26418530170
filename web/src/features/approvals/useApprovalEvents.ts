import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { subscribeStream } from '../../realtime/streamListeners';
import { approvalKeys } from './api';

/** `approvals.changed` refetches the lists and the open request while an approvals page is shown. */
export function useApprovalEvents(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      subscribeStream((event, { ephemeral }) => {
        if (ephemeral || event.type !== 'approvals.changed') return;
        void queryClient.invalidateQueries({ queryKey: approvalKeys.all });
      }),
    [queryClient],
  );
}

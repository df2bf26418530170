import { QueryClient } from '@tanstack/react-query';
import { isApiError } from './api/client';

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Client errors will not fix themselves; retry only network trouble and 5xx.
        retry: (count, error) => count < 2 && (!isApiError(error) || error.status === 0 || error.status >= 500),
        refetchOnWindowFocus: true,
        staleTime: 30_000,
      },
    },
  });
}

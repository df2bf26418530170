import { useQuery } from '@tanstack/react-query';
import { setCsrfToken } from '../../api/client';
import { authApi, meKey } from './api';

/** The signed-in person. A 401 sends the browser to the sign-in page (see api/client). */
export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: async () => {
      const me = await authApi.me();
      setCsrfToken(me.csrf_token);
      return me;
    },
    staleTime: 5 * 60_000,
    retry: false,
  });
}

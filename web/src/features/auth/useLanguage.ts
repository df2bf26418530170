import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { Locale, Me } from '../../api/types';
import { rememberLocale } from '../../i18n';
import { authApi, meKey } from './api';

/** Switch the interface language; kept in this browser and, when signed in, on the account. */
export function useLanguage() {
  const { i18n } = useTranslation();
  const queryClient = useQueryClient();
  const setLanguage = useCallback(
    async (locale: Locale) => {
      const me = queryClient.getQueryData<Me>(meKey);
      rememberLocale(locale, { pending: !me });
      await i18n.changeLanguage(locale);
      if (me && me.locale !== locale) {
        const updated = await authApi.updateMe({ locale });
        queryClient.setQueryData(meKey, updated);
      }
    },
    [i18n, queryClient],
  );
  return { language: i18n.language as Locale, setLanguage };
}

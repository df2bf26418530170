import { App } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { UploadFeedback } from './images';

/** Upload progress and failures as antd messages, one per file. */
export function useUploadFeedback(): UploadFeedback {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return useMemo(
    () => ({
      progress: (key, name, percent) =>
        void message.open({ key, type: 'loading', content: t('docs.image.uploading', { name, percent }), duration: 0 }),
      done: (key) => message.destroy(key),
      failed: (key, name, reason) =>
        void message.open({
          key,
          type: 'error',
          content: reason === 'size' ? t('docs.image.tooLarge', { name }) : t('docs.image.failed', { name, reason }),
        }),
    }),
    [message, t],
  );
}

import { Badge } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Presence } from '../../api/types';

const STATUS = { online: 'success', away: 'warning', offline: 'default' } as const;

export function PresenceDot({ presence }: { presence: Presence }) {
  const { t } = useTranslation();
  return <Badge status={STATUS[presence] ?? 'default'} text={t(`presence.${presence}`)} />;
}

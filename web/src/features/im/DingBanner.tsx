import { BellFilled } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { imApi, imKeys } from './api';
import './DingBanner.css';

/** DINGs sent to me and not yet acknowledged: shown on every page until acknowledged. */
export function DingBanner() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const dings = useQuery({
    queryKey: imKeys.dings,
    queryFn: imApi.pendingDings,
    refetchInterval: 120_000,
    retry: false,
  });
  const ack = useMutation({
    mutationFn: imApi.ackDing,
    onSettled: () => queryClient.invalidateQueries({ queryKey: imKeys.dings }),
  });
  const first = dings.data?.[0];
  if (!first) return null;
  const from = first.sender?.name ?? '';
  return (
    <div className="im-ding-banner" role="alert" data-testid="ding-banner">
      <BellFilled className="im-ding-bell" />
      <span className="im-ding-text">
        <strong>{t('im.dingFrom', { name: from })}</strong>
        {first.excerpt && <span className="im-ding-body">{first.excerpt}</span>}
        {(dings.data?.length ?? 0) > 1 && <span className="im-ding-more">{t('im.dingMore', { count: (dings.data?.length ?? 1) - 1 })}</span>}
      </span>
      <Link to={`/im/${first.conversation_id}`}>{t('im.dingOpen')}</Link>
      <Button type="primary" danger size="small" loading={ack.isPending} onClick={() => ack.mutate(first.id)} data-testid="ding-ack">
        {t('im.dingAck')}
      </Button>
    </div>
  );
}

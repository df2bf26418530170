import { TeamOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Result, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { imApi, imKeys } from './api';
import { ConversationAvatar } from './ConversationAvatar';
import { joinErrorKey } from './groupRules';
import './ImPage.css';

/** /im/join/:token — where a group's QR code or link leads: the group's name and size, and Join. */
export default function JoinPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const token = useParams().token ?? '';
  const preview = useQuery({
    queryKey: imKeys.join(token),
    queryFn: () => imApi.joinPreview(token),
    retry: false,
  });
  const join = useMutation({
    mutationFn: () => imApi.join(token),
    onSuccess: async (c) => {
      await queryClient.invalidateQueries({ queryKey: imKeys.conversations });
      void navigate(`/im/${c.id}`);
    },
  });

  const failure = preview.error ?? join.error;
  if (failure) {
    const key = joinErrorKey(failure);
    return (
      <div className="im-join-page" data-testid="im-join-page">
        <Result
          status="warning"
          title={t('im.join.failed')}
          subTitle={<span data-testid="im-join-error">{key ? t(key) : failure.message}</span>}
          extra={<Link to="/im">{t('im.join.back')}</Link>}
        />
      </div>
    );
  }
  if (!preview.data) {
    return (
      <div className="im-join-page">
        <Spin />
      </div>
    );
  }
  const group = preview.data;
  return (
    <div className="im-join-page" data-testid="im-join-page">
      <Card className="im-join-card">
        <ConversationAvatar
          size={72}
          conversation={{
            id: group.conversation_id,
            kind: 'group',
            name: group.name,
            avatar_file_id: group.avatar_file_id,
            peer: null,
          }}
        />
        <h1 data-testid="im-join-name">{group.name}</h1>
        <Typography.Paragraph type="secondary">
          <TeamOutlined /> {t('im.join.members', { count: group.member_count })}
        </Typography.Paragraph>
        {group.already_member ? (
          <>
            <Typography.Paragraph>{t('im.join.alreadyMember')}</Typography.Paragraph>
            <Button type="primary" block size="large" onClick={() => void navigate(`/im/${group.conversation_id}`)}>
              {t('im.join.open')}
            </Button>
          </>
        ) : (
          <Button type="primary" block size="large" loading={join.isPending} onClick={() => join.mutate()} data-testid="im-join-button">
            {t('im.join.button')}
          </Button>
        )}
      </Card>
    </div>
  );
}

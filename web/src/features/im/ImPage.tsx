import { MessageOutlined } from '@ant-design/icons';
import { Empty } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { useMe } from '../auth/useMe';
import { useIsMobile } from '../../shell/useIsMobile';
import { ConversationList } from './ConversationList';
import { ConversationPane } from './ConversationPane';
import './ImPage.css';

/** 消息: the conversation list beside the open conversation; on a phone, one screen each. */
export default function ImPage() {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const me = useMe();
  const params = useParams();
  const id = params.conversationId ? Number(params.conversationId) : null;
  const openId = id !== null && Number.isInteger(id) && id > 0 ? id : null;
  if (!me.data) return null;
  const myself = { id: me.data.id, name: me.data.name };

  if (isMobile) {
    return (
      <div className="im-page im-mobile" data-testid="im-page">
        {openId === null ? (
          <ConversationList activeId={null} me={myself} />
        ) : (
          <ConversationPane key={openId} conversationId={openId} me={myself} />
        )}
      </div>
    );
  }
  return (
    <div className="im-page" data-testid="im-page">
      <aside className="im-sidebar">
        <ConversationList activeId={openId} me={myself} />
      </aside>
      <section className="im-main">
        {openId === null ? (
          <div className="im-empty">
            <Empty image={<MessageOutlined style={{ fontSize: 56, color: '#bfbfbf' }} />} description={t('im.pickConversation')} />
          </div>
        ) : (
          <ConversationPane key={openId} conversationId={openId} me={myself} />
        )}
      </section>
    </div>
  );
}

import {
  AppstoreOutlined,
  AudioOutlined,
  AuditOutlined,
  CalendarOutlined,
  FileOutlined,
  FileTextOutlined,
  LinkOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { safeCardPath } from './cardPath';
import type { MessageCard } from './types';

/** One icon per capability that shares cards; an unknown type shows a link icon. */
const CARD_ICONS: Record<string, ReactNode> = {
  approval: <AuditOutlined />,
  doc: <FileTextOutlined />,
  event: <CalendarOutlined />,
  meeting: <VideoCameraOutlined />,
  minutes: <AudioOutlined />,
  form: <AppstoreOutlined />,
  file: <FileOutlined />,
};

export function MessageCardView({ card }: { card: MessageCard }) {
  const path = safeCardPath(card.link);
  const inner = (
    <>
      <span className="im-card-head">
        <span className="im-card-icon" aria-hidden>
          {CARD_ICONS[card.type] ?? <LinkOutlined />}
        </span>
        <span className="im-card-text">
          <span className="im-card-title">{card.title}</span>
          {card.summary && <span className="im-card-summary">{card.summary}</span>}
        </span>
        {card.status && <span className="im-card-status">{card.status}</span>}
      </span>
      {card.fields.length > 0 && (
        <dl className="im-card-fields">
          {card.fields.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </>
  );
  return path ? (
    <Link to={path} className="im-card" data-card-type={card.type}>
      {inner}
    </Link>
  ) : (
    <div className="im-card" data-card-type={card.type}>
      {inner}
    </div>
  );
}

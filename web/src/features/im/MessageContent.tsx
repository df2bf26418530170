import {
  AuditOutlined,
  CalendarOutlined,
  DownloadOutlined,
  FileOutlined,
  FileTextOutlined,
  LinkOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { fileUrls } from './api';
import { safeCardPath } from './cardPath';
import { Markdown } from './Markdown';
import { usePane } from './paneContext';
import type { LocalMessage, MessageCard, MessageFile } from './types';
import { formatSize } from './uploadFile';

const CARD_ICONS: Record<string, ReactNode> = {
  approval: <AuditOutlined />,
  doc: <FileTextOutlined />,
  document: <FileTextOutlined />,
  event: <CalendarOutlined />,
  calendar: <CalendarOutlined />,
  meeting: <VideoCameraOutlined />,
  file: <FileOutlined />,
};

function Card({ card }: { card: MessageCard }) {
  const path = safeCardPath(card.link);
  const inner = (
    <>
      <span className="im-card-icon" aria-hidden>
        {CARD_ICONS[card.type] ?? <LinkOutlined />}
      </span>
      <span className="im-card-text">
        <span className="im-card-title">{card.title}</span>
        {card.summary && <span className="im-card-summary">{card.summary}</span>}
      </span>
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

function FileCard({ file }: { file: MessageFile }) {
  const { t } = useTranslation();
  return (
    <div className="im-file">
      <FileOutlined className="im-file-icon" aria-hidden />
      <span className="im-file-text">
        <span className="im-file-name">{file.name}</span>
        <span className="im-file-size">{formatSize(file.size)}</span>
      </span>
      <a href={fileUrls.content(file.id)} download={file.name} aria-label={t('im.download', { name: file.name })}>
        <DownloadOutlined />
      </a>
    </div>
  );
}

function ImageThumb({ file }: { file: MessageFile }) {
  const { t } = useTranslation();
  const { onOpenImage } = usePane();
  return (
    <button type="button" className="im-image" onClick={() => onOpenImage(file.id)} aria-label={t('im.openImage', { name: file.name })}>
      <img src={file.has_thumbnail ? fileUrls.thumbnail(file.id) : fileUrls.content(file.id)} alt={file.name} loading="lazy" />
    </button>
  );
}

export function MessageContent({ message }: { message: LocalMessage }) {
  const { mentionNames } = usePane();
  return (
    <>
      {message.body && <Markdown text={message.body} mentionNames={mentionNames} />}
      {message.files.map((f) =>
        f.content_type.startsWith('image/') ? <ImageThumb key={f.id} file={f} /> : <FileCard key={f.id} file={f} />,
      )}
      {message.card && <Card card={message.card} />}
    </>
  );
}

import { DownloadOutlined, FileOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { fileUrls } from './api';
import { MessageCardView } from './MessageCardView';
import { Markdown } from './Markdown';
import { usePane } from './paneContext';
import type { LocalMessage, MessageFile } from './types';
import { formatSize } from './uploadFile';

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
      {message.card && <MessageCardView card={message.card} />}
    </>
  );
}

import { CameraOutlined, DeleteOutlined, PaperClipOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Space } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { uploadFile } from './uploadFile';

/** Attachments or photos: uploads each file at once and keeps their ids (a phone opens its camera). */
export function FileField({
  id,
  value,
  onChange,
  images,
  max,
  disabled,
}: {
  id?: string;
  value: string[];
  onChange: (ids: string[]) => void;
  images: boolean;
  max: number;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [names, setNames] = useState<Record<string, string>>({});

  const pick = async (files: FileList | null) => {
    if (!files?.length) return;
    setBusy(true);
    const ids = [...value];
    try {
      for (const file of Array.from(files).slice(0, Math.max(0, max - ids.length))) {
        const stored = await uploadFile(file, file.name);
        ids.push(stored.id);
        setNames((n) => ({ ...n, [stored.id]: file.name }));
      }
      onChange(ids);
    } catch (e) {
      message.error(e instanceof Error ? e.message : t('forms.fill.uploadFailed'));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {value.map((fileId) => (
        <Space key={fileId}>
          {images ? (
            <img src={`/api/files/${fileId}/thumbnail`} alt="" style={{ width: 48, height: 48, objectFit: 'cover', borderRadius: 4 }} />
          ) : (
            <PaperClipOutlined />
          )}
          <span>{names[fileId] ?? fileId.slice(0, 8)}</span>
          <Button
            size="small"
            type="text"
            icon={<DeleteOutlined />}
            aria-label={t('forms.fill.removeFile')}
            onClick={() => onChange(value.filter((v) => v !== fileId))}
            disabled={disabled}
          />
        </Space>
      ))}
      {value.length < max && (
        <Button id={id} icon={images ? <CameraOutlined /> : <PaperClipOutlined />} loading={busy} disabled={disabled} onClick={() => input.current?.click()}>
          {images ? t('forms.fill.addPhoto') : t('forms.fill.addFile')}
        </Button>
      )}
      <input
        ref={input}
        type="file"
        hidden
        multiple
        accept={images ? 'image/*' : undefined}
        capture={images ? 'environment' : undefined}
        onChange={(e) => void pick(e.target.files)}
      />
    </Space>
  );
}

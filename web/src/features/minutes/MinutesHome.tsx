import { UploadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, List, Progress, Select, Tag } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { formatTime, minutesApi, minutesKeys, uploadRecording } from './api';
import { Recorder } from './Recorder';
import type { MinutesLanguage, MinutesRead } from './types';
import { useMinutesEvents } from './useMinutesEvents';
import './minutes.css';

const ACCEPT = '.mp3,.m4a,.wav,.ogg,.opus,.mp4,.webm,audio/*,video/*';

export function StatusTag({ m }: { m: MinutesRead }) {
  const { t } = useTranslation();
  const color = { queued: 'default', running: 'processing', done: 'success', failed: 'error', cancelled: 'warning' }[m.status];
  return <Tag color={color}>{t(`minutes.status.${m.status}`)}</Tag>;
}

export default function MinutesHome() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  useMinutesEvents();
  const list = useQuery({ queryKey: minutesKeys.list, queryFn: minutesApi.list });
  const [language, setLanguage] = useState<MinutesLanguage>('zh');
  const [uploading, setUploading] = useState<{ name: string; fraction: number } | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const send = async (file: File) => {
    setUploading({ name: file.name, fraction: 0 });
    try {
      const created = await uploadRecording(file, file.name, language, (fraction) =>
        setUploading({ name: file.name, fraction }),
      );
      await queryClient.invalidateQueries({ queryKey: minutesKeys.list });
      navigate(`/minutes/${created.id}`);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setUploading(null);
    }
  };

  return (
    <div className="minutes-page">
      <div className="minutes-toolbar">
        <h2>{t('minutes.title')}</h2>
        <div className="minutes-actions">
          <Select
            value={language}
            onChange={setLanguage}
            aria-label={t('minutes.language')}
            options={(['zh', 'en', 'auto'] as const).map((v) => ({ value: v, label: t(`minutes.lang.${v}`) }))}
            style={{ width: 120 }}
          />
          <Button type="primary" icon={<UploadOutlined />} onClick={() => input.current?.click()} disabled={!!uploading}>
            {t('minutes.upload')}
          </Button>
          <Recorder onDone={(file) => void send(file)} disabled={!!uploading} />
          <input
            ref={input}
            type="file"
            accept={ACCEPT}
            hidden
            data-testid="minutes-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void send(file);
            }}
          />
        </div>
      </div>
      {uploading && (
        <div className="minutes-uploading" data-testid="minutes-upload-progress">
          {t('minutes.uploading', { name: uploading.name })}
          <Progress percent={Math.round(uploading.fraction * 100)} size="small" />
        </div>
      )}
      <List
        loading={list.isLoading}
        dataSource={list.data ?? []}
        locale={{ emptyText: <Empty description={t('minutes.empty')} /> }}
        renderItem={(m) => (
          <List.Item className="minutes-item">
            <Link to={`/minutes/${m.id}`} className="minutes-item-link">
              <div className="minutes-item-title">{m.title}</div>
              <div className="minutes-item-meta">
                <StatusTag m={m} />
                {m.duration != null && <span>{formatTime(m.duration)}</span>}
                <span>{m.owner_name}</span>
                <span>{new Date(m.created_at).toLocaleString()}</span>
              </div>
              {m.status === 'running' && <Progress percent={Math.round(m.progress * 100)} size="small" />}
              {m.status === 'failed' && <div className="minutes-error">{m.error}</div>}
            </Link>
          </List.Item>
        )}
      />
    </div>
  );
}

import { AudioOutlined, StopOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from './api';

/** Records the microphone with MediaRecorder (webm/opus in Chromium) and hands the file over when stopped. */
export function Recorder({ onDone, disabled }: { onDone: (file: File) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const [recording, setRecording] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [error, setError] = useState('');
  const recorder = useRef<MediaRecorder | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearInterval(timer.current), []);

  const start = async () => {
    setError('');
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
      setError(t('minutes.recordUnsupported'));
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const type = MediaRecorder.isTypeSupported('audio/webm;codecs=opus') ? 'audio/webm;codecs=opus' : '';
      const rec = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      const chunks: Blob[] = [];
      rec.ondataavailable = (e) => {
        if (e.data.size) chunks.push(e.data);
      };
      rec.onstop = () => {
        stream.getTracks().forEach((track) => track.stop());
        const blob = new Blob(chunks, { type: rec.mimeType || 'audio/webm' });
        const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ').replace(':', '');
        onDone(new File([blob], `${t('minutes.recordingName')} ${stamp}.webm`, { type: blob.type }));
      };
      rec.start(1000);
      recorder.current = rec;
      setRecording(true);
      setElapsed(0);
      const began = Date.now();
      timer.current = window.setInterval(() => setElapsed((Date.now() - began) / 1000), 500);
    } catch {
      setError(t('minutes.recordDenied'));
    }
  };

  const stop = () => {
    window.clearInterval(timer.current);
    recorder.current?.stop();
    recorder.current = null;
    setRecording(false);
  };

  return (
    <span className="minutes-recorder">
      {recording ? (
        <Button danger icon={<StopOutlined />} onClick={stop} data-testid="minutes-record-stop">
          {t('minutes.recordStop')} {formatTime(elapsed)}
        </Button>
      ) : (
        <Button icon={<AudioOutlined />} onClick={() => void start()} disabled={disabled} data-testid="minutes-record">
          {t('minutes.record')}
        </Button>
      )}
      {error && <span className="minutes-error">{error}</span>}
    </span>
  );
}

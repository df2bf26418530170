import { App as AntApp, Button, Space } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { uploadFile } from './uploadFile';

/** A handwritten signature: drawn with a finger or mouse, uploaded as a PNG, kept as its file id. */
export function SignaturePad({
  value,
  onChange,
  disabled,
}: {
  value?: string;
  onChange: (id: string | undefined) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return [((e.clientX - rect.left) * e.currentTarget.width) / rect.width, ((e.clientY - rect.top) * e.currentTarget.height) / rect.height] as const;
  };
  const start = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (disabled) return;
    const ctx = e.currentTarget.getContext('2d');
    if (!ctx) return;
    drawing.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(...point(e));
  };
  const move = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current) return;
    const ctx = e.currentTarget.getContext('2d');
    ctx?.lineTo(...point(e));
    ctx?.stroke();
    setDirty(true);
  };
  const clear = () => {
    const c = canvas.current;
    c?.getContext('2d')?.clearRect(0, 0, c.width, c.height);
    setDirty(false);
    onChange(undefined);
  };
  const save = () => {
    canvas.current?.toBlob((blob) => {
      if (!blob) return;
      setBusy(true);
      uploadFile(blob, 'signature.png')
        .then((stored) => onChange(stored.id))
        .catch((e: unknown) => message.error(e instanceof Error ? e.message : String(e)))
        .finally(() => setBusy(false));
    }, 'image/png');
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <canvas
        ref={canvas}
        width={600}
        height={200}
        aria-label={t('forms.fill.signHere')}
        style={{ width: '100%', maxWidth: 420, height: 140, border: '1px dashed #bbb', borderRadius: 6, touchAction: 'none', background: '#fff' }}
        onPointerDown={start}
        onPointerMove={move}
        onPointerUp={() => (drawing.current = false)}
      />
      <Space>
        <Button size="small" onClick={clear} disabled={disabled}>
          {t('forms.fill.clearSignature')}
        </Button>
        <Button size="small" type="primary" onClick={save} disabled={disabled || !dirty} loading={busy}>
          {value ? t('forms.fill.signatureSaved') : t('forms.fill.saveSignature')}
        </Button>
      </Space>
    </Space>
  );
}

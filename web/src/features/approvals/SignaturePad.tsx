import { Button } from 'antd';
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';

export interface SignaturePadHandle {
  /** The drawing as a PNG, or null when nothing was drawn. */
  toBlob: () => Promise<Blob | null>;
  clear: () => void;
}

/**
 * A handwritten signature drawn with a finger or a mouse. Pointer events cover touch, pen and
 * mouse alike; `touch-action: none` stops the page from scrolling while one signs on a phone.
 */
export function SignaturePad({ ref, onChange }: { ref?: Ref<SignaturePadHandle>; onChange?: (empty: boolean) => void }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const [empty, setEmpty] = useState(true);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    // Draw at the device's pixel density so the stored image is sharp.
    const ratio = window.devicePixelRatio || 1;
    el.width = el.clientWidth * ratio;
    el.height = el.clientHeight * ratio;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111';
  }, []);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };

  const mark = (isEmpty: boolean) => {
    setEmpty(isEmpty);
    onChange?.(isEmpty);
  };

  const clear = () => {
    const el = canvas.current;
    el?.getContext('2d')?.clearRect(0, 0, el.width, el.height);
    mark(true);
  };

  useImperativeHandle(ref, () => ({
    toBlob: () =>
      new Promise((resolve) => {
        if (empty || !canvas.current) {
          resolve(null);
          return;
        }
        canvas.current.toBlob((blob) => resolve(blob), 'image/png');
      }),
    clear,
  }));

  return (
    <div>
      <canvas
        ref={canvas}
        data-testid="signature-pad"
        data-empty={empty}
        aria-label={t('approvals.signature.area')}
        style={{
          width: '100%',
          height: 160,
          border: '1px dashed #bfbfbf',
          borderRadius: 8,
          background: '#fafafa',
          touchAction: 'none',
          display: 'block',
        }}
        onPointerDown={(e) => {
          const ctx = e.currentTarget.getContext('2d');
          if (!ctx) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          drawing.current = true;
          const { x, y } = point(e);
          ctx.beginPath();
          ctx.moveTo(x, y);
        }}
        onPointerMove={(e) => {
          if (!drawing.current) return;
          const ctx = e.currentTarget.getContext('2d');
          if (!ctx) return;
          const { x, y } = point(e);
          ctx.lineTo(x, y);
          ctx.stroke();
          if (empty) mark(false);
        }}
        onPointerUp={() => {
          drawing.current = false;
        }}
      />
      <div style={{ display: 'flex', justifyContent: 'space-between', marginTop: 4 }}>
        <span style={{ color: '#8c8c8c', fontSize: 12 }}>
          {empty ? t('approvals.signature.hint') : t('approvals.signature.done')}
        </span>
        <Button size="small" type="link" onClick={clear}>
          {t('approvals.signature.clear')}
        </Button>
      </div>
    </div>
  );
}

import { EnvironmentOutlined } from '@ant-design/icons';
import { Button, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

interface Location {
  lat?: number;
  lng?: number;
  address?: string;
}

/** The browser's position (with permission) and/or a typed address. */
export function LocationField({
  id,
  value,
  onChange,
  disabled,
}: {
  id?: string;
  value?: Location;
  onChange: (v: Location | undefined) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const current = value ?? {};
  const locate = () => {
    setError(null);
    if (!navigator.geolocation) {
      setError(t('forms.fill.noLocation'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => onChange({ ...current, lat: Number(p.coords.latitude.toFixed(6)), lng: Number(p.coords.longitude.toFixed(6)) }),
      () => setError(t('forms.fill.noLocation')),
      { enableHighAccuracy: true, timeout: 10_000 },
    );
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Button icon={<EnvironmentOutlined />} onClick={locate} disabled={disabled}>
          {t('forms.fill.locate')}
        </Button>
        {current.lat !== undefined && (
          <Typography.Text type="secondary">
            {current.lat}, {current.lng}
          </Typography.Text>
        )}
      </Space>
      <Input
        id={id}
        placeholder={t('forms.fill.address')}
        value={current.address ?? ''}
        disabled={disabled}
        onChange={(e) => {
          const next = { ...current, address: e.target.value || undefined };
          onChange(next.lat === undefined && !next.address ? undefined : next);
        }}
      />
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
    </Space>
  );
}

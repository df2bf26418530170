import { Form, Input, InputNumber, Select, Space, Switch, Typography, Upload, Button } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DepartmentSelect } from '../org/DepartmentSelect';
import { PersonSelect } from '../org/PersonSelect';
import { uploadFile } from '../im/uploadFile';
import { labelText, type FormField, type FormSchema } from './api';

/**
 * Filling in an approval's form. The form itself is the forms capability's schema; this renders
 * the field types an approval uses, and the server's validation (forms' rules) has the last word:
 * its per-field 422s land on these items through `setFields`.
 */
export function FormFields({ schema }: { schema: FormSchema }) {
  const { i18n } = useTranslation();
  return (
    <>
      {schema.fields.map((f) =>
        f.type === 'description' ? (
          <Typography.Paragraph key={f.key} type="secondary">
            {labelText(f.label, i18n.language)}
          </Typography.Paragraph>
        ) : f.type === 'formula' || f.type === 'subtable' ? null : (
          <Form.Item
            key={f.key}
            name={f.key}
            label={labelText(f.label, i18n.language) + (f.unit ? ` (${f.unit})` : '')}
            required={f.required}
            valuePropName={f.type === 'boolean' ? 'checked' : 'value'}
          >
            <FieldInput field={f} />
          </Form.Item>
        ),
      )}
    </>
  );
}

function FieldInput({ field, value, onChange, id }: { field: FormField; value?: unknown; onChange?: (v: unknown) => void; id?: string }) {
  const { t, i18n } = useTranslation();
  const set = (v: unknown) => onChange?.(v);
  switch (field.type) {
    case 'textarea':
      return <Input.TextArea id={id} value={value as string} onChange={(e) => set(e.target.value)} autoSize={{ minRows: 2 }} maxLength={field.max_length} />;
    case 'number':
    case 'money':
    case 'percent':
      return (
        <InputNumber
          id={id}
          value={value as number}
          onChange={(v) => set(v ?? undefined)}
          min={field.min}
          max={field.max}
          precision={field.precision}
          style={{ width: '100%' }}
          inputMode="decimal"
        />
      );
    case 'date':
      return <Input id={id} type="date" value={(value as string) ?? ''} onChange={(e) => set(e.target.value || undefined)} />;
    case 'datetime':
      return <Input id={id} type="datetime-local" value={(value as string) ?? ''} onChange={(e) => set(e.target.value || undefined)} />;
    case 'daterange': {
      const [start, end] = (value as string[] | undefined) ?? ['', ''];
      return (
        <Space.Compact style={{ width: '100%' }}>
          <Input id={id} type="date" value={start} onChange={(e) => set([e.target.value, end])} aria-label={t('approvals.dateStart')} />
          <Input type="date" value={end} onChange={(e) => set([start, e.target.value])} aria-label={t('approvals.dateEnd')} data-testid={`${id ?? field.key}-end`} />
        </Space.Compact>
      );
    }
    case 'select':
    case 'multiselect':
      return (
        <Select
          id={id}
          value={value as string}
          onChange={set}
          mode={field.type === 'multiselect' ? 'multiple' : undefined}
          options={(field.options ?? []).map((o) => ({ value: o.value, label: labelText(o.label, i18n.language) }))}
          allowClear
        />
      );
    case 'boolean':
      return <Switch id={id} checked={!!value} onChange={set} />;
    case 'member':
      return <PersonSelect id={id} value={value as number | null} onChange={(v) => set(v ?? undefined)} />;
    case 'department':
      return <DepartmentSelect id={id} value={value as number | null} onChange={(v) => set(v ?? undefined)} allowClear />;
    case 'attachment':
    case 'image':
      return <FileIds id={id} value={value as string[] | undefined} onChange={set} />;
    default:
      return <Input id={id} value={(value as string) ?? ''} onChange={(e) => set(e.target.value)} maxLength={field.max_length} />;
  }
}

function FileIds({ value, onChange, id }: { value?: string[]; onChange: (v: string[]) => void; id?: string }) {
  const { t } = useTranslation();
  const [names, setNames] = useState<Record<string, string>>({});
  return (
    <Upload
      id={id}
      multiple
      fileList={(value ?? []).map((fid) => ({ uid: fid, name: names[fid] ?? fid, status: 'done' as const }))}
      customRequest={({ file, onSuccess, onError }) => {
        uploadFile(file as File, () => undefined)
          .then((stored) => {
            setNames((n) => ({ ...n, [stored.id]: stored.name }));
            onChange([...(value ?? []), stored.id]);
            onSuccess?.(stored);
          })
          .catch((e: Error) => onError?.(e));
      }}
      onRemove={(f) => onChange((value ?? []).filter((v) => v !== f.uid))}
    >
      <Button icon={<UploadOutlined />}>{t('approvals.upload')}</Button>
    </Upload>
  );
}

/** The submitted values, read-only, as label/value rows. */
export function FormValues({ schema, values, names }: { schema: FormSchema; values: Record<string, unknown>; names?: Record<number, string> }) {
  const { i18n } = useTranslation();
  const shown = (f: FormField): string => {
    const v = values[f.key];
    if (v === undefined || v === null || v === '') return '—';
    if (f.type === 'select' || f.type === 'multiselect') {
      const items = Array.isArray(v) ? v : [v];
      return items.map((x) => labelText(f.options?.find((o) => o.value === x)?.label, i18n.language) || String(x)).join('、');
    }
    if (f.type === 'daterange' && Array.isArray(v)) return v.join(' ~ ');
    if (f.type === 'boolean') return v ? '✓' : '✗';
    if (f.type === 'member' && typeof v === 'number') return names?.[v] ?? String(v);
    if (Array.isArray(v)) return String(v.length);
    if (typeof v === 'number' && (f.type === 'money' || f.unit)) return `${v.toLocaleString()}${f.unit ? ` ${f.unit}` : ''}`;
    return typeof v === 'object' ? JSON.stringify(v) : String(v as string | number);
  };
  return (
    <dl className="approvals-values">
      {schema.fields
        .filter((f) => f.type !== 'description')
        .map((f) => (
          <div key={f.key} className="approvals-values-row">
            <dt>{labelText(f.label, i18n.language)}</dt>
            <dd data-testid={`value-${f.key}`}>{shown(f)}</dd>
          </div>
        ))}
    </dl>
  );
}

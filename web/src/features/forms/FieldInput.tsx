import { Checkbox, DatePicker, Input, InputNumber, Radio, Select, Switch } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { DepartmentSelect } from '../org/DepartmentSelect';
import { PersonSelect } from '../org/PersonSelect';
import { FileField } from './FileField';
import { LocationField } from './LocationField';
import { SignaturePad } from './SignaturePad';
import { labelText } from './labels';
import type { FormField } from './types';

interface Props {
  field: FormField;
  id?: string;
  value?: unknown;
  onChange?: (value: unknown) => void;
  disabled?: boolean;
}

/** The control for one field type; values are kept as the API stores them (dates as text). */
export function FieldInput({ field, id, value, onChange, disabled }: Props) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const change = (v: unknown) => onChange?.(v);
  const unit = field.unit ?? (field.type === 'money' ? t('forms.unit.yuan') : field.type === 'percent' ? '%' : undefined);
  switch (field.type) {
    case 'text':
      return <Input id={id} value={(value as string) ?? ''} onChange={(e) => change(e.target.value)} disabled={disabled} maxLength={field.max_length ?? undefined} />;
    case 'textarea':
      return (
        <Input.TextArea
          id={id}
          value={(value as string) ?? ''}
          onChange={(e) => change(e.target.value)}
          disabled={disabled}
          autoSize={{ minRows: 2, maxRows: 6 }}
          maxLength={field.max_length ?? undefined}
        />
      );
    case 'number':
    case 'money':
    case 'percent':
      return (
        <InputNumber
          id={id}
          style={{ width: '100%' }}
          inputMode="decimal"
          value={(value as number | null) ?? null}
          onChange={(v) => change(v ?? undefined)}
          min={field.min ?? undefined}
          max={field.max ?? undefined}
          precision={field.precision ?? undefined}
          suffix={unit}
          disabled={disabled}
        />
      );
    case 'date':
      return (
        <DatePicker
          id={id}
          style={{ width: '100%' }}
          value={value ? dayjs(value as string) : null}
          onChange={(d) => change(d ? d.format('YYYY-MM-DD') : undefined)}
          disabled={disabled}
          inputReadOnly
        />
      );
    case 'datetime':
      return (
        <DatePicker
          id={id}
          showTime
          style={{ width: '100%' }}
          value={value ? dayjs(value as string) : null}
          onChange={(d) => change(d ? d.format('YYYY-MM-DDTHH:mm:ss') : undefined)}
          disabled={disabled}
          inputReadOnly
        />
      );
    case 'daterange': {
      const pair = Array.isArray(value) ? (value as string[]) : null;
      return (
        <DatePicker.RangePicker
          id={id}
          style={{ width: '100%' }}
          value={pair ? [dayjs(pair[0]), dayjs(pair[1])] : null}
          onChange={(r) => change(r?.[0] && r[1] ? [r[0].format('YYYY-MM-DD'), r[1].format('YYYY-MM-DD')] : undefined)}
          disabled={disabled}
          inputReadOnly
        />
      );
    }
    case 'select':
      if ((field.options ?? []).length <= 4) {
        return (
          <Radio.Group
            id={id}
            value={value}
            onChange={(e) => change(e.target.value)}
            disabled={disabled}
            optionType="button"
            buttonStyle="solid"
            options={(field.options ?? []).map((o) => ({ value: o.value, label: labelText(o.label, lang) }))}
          />
        );
      }
      return (
        <Select
          id={id}
          value={value}
          onChange={change}
          disabled={disabled}
          allowClear
          options={(field.options ?? []).map((o) => ({ value: o.value, label: labelText(o.label, lang) }))}
        />
      );
    case 'multiselect':
      return (
        <Checkbox.Group
          value={(value as string[]) ?? []}
          onChange={change}
          disabled={disabled}
          options={(field.options ?? []).map((o) => ({ value: o.value, label: labelText(o.label, lang) }))}
        />
      );
    case 'boolean':
      return <Switch id={id} checked={value === true} onChange={change} disabled={disabled} />;
    case 'member':
      return <PersonSelect id={id} value={(value as number) ?? null} onChange={(v) => change(v ?? undefined)} />;
    case 'department':
      return (
        <DepartmentSelect
          id={id}
          value={(value as number) ?? null}
          onChange={(v) => change(typeof v === 'number' ? v : undefined)}
          allowClear
        />
      );
    case 'location':
      return <LocationField id={id} value={value as never} onChange={change} disabled={disabled} />;
    case 'attachment':
    case 'image':
      return (
        <FileField
          id={id}
          value={(value as string[]) ?? []}
          onChange={change}
          images={field.type === 'image'}
          max={field.max_length ?? 9}
          disabled={disabled}
        />
      );
    case 'signature':
      return <SignaturePad value={(value as string) ?? undefined} onChange={change} disabled={disabled} />;
    default:
      return null;
  }
}

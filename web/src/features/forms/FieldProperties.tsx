import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Divider, Input, InputNumber, Select, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { labelText } from './labels';
import type { FieldType, FormField, Option } from './types';

const COLORS = ['#1677ff', '#52c41a', '#faad14', '#f5222d', '#722ed1', '#13c2c2', '#8c8c8c'];
const NUMERIC: FieldType[] = ['number', 'money', 'percent'];

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div style={{ marginBottom: 10 }}>
      <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, marginBottom: 2 }}>
        {label}
      </Typography.Text>
      {children}
    </div>
  );
}

/** The side panel: every property of the selected field, in words a non-programmer knows. */
export function FieldProperties({
  field,
  siblings,
  onChange,
}: {
  field: FormField;
  /** Fields at the same level, for show-if and formula hints. */
  siblings: FormField[];
  onChange: (field: FormField) => void;
}) {
  const { t, i18n } = useTranslation();
  const set = (patch: Partial<FormField>) => onChange({ ...field, ...patch });
  const options = field.options ?? [];
  const setOption = (i: number, patch: Partial<Option>) =>
    set({ options: options.map((o, j) => (j === i ? { ...o, ...patch } : o)) });
  const others = siblings.filter((s) => s.key !== field.key && !['description', 'subtable'].includes(s.type));
  const numericNames = siblings.filter((s) => [...NUMERIC, 'formula'].includes(s.type) && s.key !== field.key);
  const tables = siblings.filter((s) => s.type === 'subtable');

  return (
    <div data-testid="field-properties">
      <Row label={t('forms.prop.label')}>
        <Input
          aria-label={t('forms.prop.label')}
          value={field.label.zh}
          onChange={(e) => set({ label: { ...field.label, zh: e.target.value } })}
        />
      </Row>
      <Row label={t('forms.prop.labelEn')}>
        <Input
          aria-label={t('forms.prop.labelEn')}
          value={field.label.en ?? ''}
          onChange={(e) => set({ label: { ...field.label, en: e.target.value } })}
        />
      </Row>
      <Row label={t('forms.prop.key')}>
        <Input
          aria-label={t('forms.prop.key')}
          value={field.key}
          onChange={(e) => set({ key: e.target.value.toLowerCase().replace(/[^a-z0-9_]/g, '') })}
        />
      </Row>
      {field.type !== 'description' && field.type !== 'formula' && (
        <Row label={t('forms.prop.required')}>
          <Switch aria-label={t('forms.prop.required')} checked={field.required ?? false} onChange={(v) => set({ required: v })} />
        </Row>
      )}
      {NUMERIC.includes(field.type) && (
        <Space wrap>
          <Row label={t('forms.prop.min')}>
            <InputNumber aria-label={t('forms.prop.min')} value={field.min ?? null} onChange={(v) => set({ min: v ?? null })} />
          </Row>
          <Row label={t('forms.prop.max')}>
            <InputNumber aria-label={t('forms.prop.max')} value={field.max ?? null} onChange={(v) => set({ max: v ?? null })} />
          </Row>
          <Row label={t('forms.prop.decimals')}>
            <InputNumber min={0} max={6} value={field.precision ?? null} onChange={(v) => set({ precision: v ?? null })} />
          </Row>
        </Space>
      )}
      {(NUMERIC.includes(field.type) || field.type === 'formula') && (
        <Row label={t('forms.prop.unit')}>
          <Input aria-label={t('forms.prop.unit')} value={field.unit ?? ''} onChange={(e) => set({ unit: e.target.value || null })} style={{ width: 120 }} />
        </Row>
      )}
      {(field.type === 'text' || field.type === 'textarea') && (
        <>
          <Space wrap>
            <Row label={t('forms.prop.minLength')}>
              <InputNumber min={0} value={field.min_length ?? null} onChange={(v) => set({ min_length: v ?? null })} />
            </Row>
            <Row label={t('forms.prop.maxLength')}>
              <InputNumber min={1} value={field.max_length ?? null} onChange={(v) => set({ max_length: v ?? null })} />
            </Row>
          </Space>
          <Row label={t('forms.prop.pattern')}>
            <Input value={field.pattern ?? ''} placeholder="^\d{11}$" onChange={(e) => set({ pattern: e.target.value || null })} />
          </Row>
          <Row label={t('forms.prop.unique')}>
            <Switch checked={field.unique ?? false} onChange={(v) => set({ unique: v })} />
          </Row>
        </>
      )}
      {(field.type === 'select' || field.type === 'multiselect') && (
        <Row label={t('forms.prop.options')}>
          {options.map((o, i) => (
            <Space key={i} style={{ marginBottom: 4 }} align="center">
              <Select
                size="small"
                value={o.color ?? COLORS[i % COLORS.length]}
                onChange={(c: string) => setOption(i, { color: c })}
                style={{ width: 56 }}
                options={COLORS.map((c) => ({ value: c, label: <span style={{ display: 'inline-block', width: 14, height: 14, background: c, borderRadius: 3 }} /> }))}
              />
              <Input
                size="small"
                aria-label={t('forms.prop.optionLabel', { n: i + 1 })}
                value={o.label.zh}
                onChange={(e) => setOption(i, { label: { ...o.label, zh: e.target.value } })}
              />
              <Input
                size="small"
                placeholder="English"
                value={o.label.en ?? ''}
                onChange={(e) => setOption(i, { label: { ...o.label, en: e.target.value } })}
              />
              <Button size="small" type="text" icon={<DeleteOutlined />} onClick={() => set({ options: options.filter((_, j) => j !== i) })} />
            </Space>
          ))}
          <Button
            size="small"
            icon={<PlusOutlined />}
            onClick={() => {
              const n = options.length + 1;
              set({ options: [...options, { value: `o${Date.now().toString(36)}${n}`, label: { zh: t('forms.prop.optionN', { n }), en: '' }, color: COLORS[(n - 1) % COLORS.length] }] });
            }}
          >
            {t('forms.prop.addOption')}
          </Button>
        </Row>
      )}
      {(field.type === 'attachment' || field.type === 'image' || field.type === 'multiselect') && (
        <Row label={t('forms.prop.maxItems')}>
          <InputNumber min={1} value={field.max_length ?? null} onChange={(v) => set({ max_length: v ?? null })} />
        </Row>
      )}
      {field.type === 'subtable' && (
        <Space wrap>
          <Row label={t('forms.prop.minRows')}>
            <InputNumber min={0} value={field.min_rows ?? null} onChange={(v) => set({ min_rows: v ?? null })} />
          </Row>
          <Row label={t('forms.prop.maxRows')}>
            <InputNumber min={1} max={500} value={field.max_rows ?? null} onChange={(v) => set({ max_rows: v ?? null })} />
          </Row>
        </Space>
      )}
      {field.type === 'formula' && (
        <Row label={t('forms.prop.formula')}>
          <Input.TextArea
            aria-label={t('forms.prop.formula')}
            value={field.formula ?? ''}
            autoSize
            onChange={(e) => set({ formula: e.target.value })}
            placeholder="area * price"
          />
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 4 }}>
            {t('forms.prop.formulaHelp')}
            <br />
            {[...numericNames.map((f) => f.key), ...tables.flatMap((tb) => (tb.fields ?? []).filter((c) => NUMERIC.includes(c.type)).map((c) => `SUM(${tb.key}.${c.key})`))].join('  ')}
          </Typography.Paragraph>
        </Row>
      )}
      {field.type === 'department' && (
        <Row label={t('forms.prop.defaultMyDepartment')}>
          <Switch checked={field.default === '$my_department'} onChange={(v) => set({ default: v ? '$my_department' : null })} />
        </Row>
      )}
      {field.type === 'date' && (
        <Row label={t('forms.prop.defaultToday')}>
          <Switch checked={field.default === '$today'} onChange={(v) => set({ default: v ? '$today' : null })} />
        </Row>
      )}
      {others.length > 0 && (
        <>
          <Divider style={{ margin: '8px 0' }} />
          <Row label={t('forms.prop.showIf')}>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Select
                allowClear
                style={{ width: '100%' }}
                placeholder={t('forms.prop.always')}
                value={field.show_if?.field ?? undefined}
                onChange={(key?: string) => set({ show_if: key ? { field: key, op: 'eq', value: null } : null })}
                options={others.map((o) => ({ value: o.key, label: labelText(o.label, i18n.language) }))}
              />
              {field.show_if && (() => {
                const target = others.find((o) => o.key === field.show_if?.field);
                const opts = target?.options ?? [];
                return opts.length ? (
                  <Select
                    style={{ width: '100%' }}
                    value={field.show_if.value as string | undefined}
                    onChange={(v: string) => set({ show_if: { field: field.show_if?.field ?? '', op: 'eq', value: v } })}
                    options={opts.map((o) => ({ value: o.value, label: labelText(o.label, i18n.language) }))}
                  />
                ) : (
                  <Select
                    style={{ width: '100%' }}
                    value={field.show_if.op === 'empty' ? 'empty' : 'filled'}
                    onChange={(op: 'filled' | 'empty') => set({ show_if: { field: field.show_if?.field ?? '', op, value: null } })}
                    options={[
                      { value: 'filled', label: t('forms.prop.whenFilled') },
                      { value: 'empty', label: t('forms.prop.whenEmpty') },
                    ]}
                  />
                );
              })()}
            </Space>
          </Row>
        </>
      )}
    </div>
  );
}

import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Typography, type FormInstance } from 'antd';
import type { Rule } from 'antd/es/form';
import { useTranslation } from 'react-i18next';
import { FieldInput } from './FieldInput';
import { evaluateFormula } from './formula';
import { labelText } from './labels';
import type { FormField, FormSchema, Values } from './types';
import { showIfHolds } from './values';

function useRules(field: FormField): Rule[] {
  const { t } = useTranslation();
  const rules: Rule[] = [];
  if (field.required) {
    rules.push({
      required: true,
      message: t('forms.rule.required'),
      validator: (_r, v: unknown) =>
        v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)
          ? Promise.reject(new Error(t('forms.rule.required')))
          : Promise.resolve(),
    });
  }
  if (['number', 'money', 'percent'].includes(field.type)) {
    if (field.min != null) rules.push({ type: 'number', min: field.min, message: t('forms.rule.min', { min: field.min }) });
    if (field.max != null) rules.push({ type: 'number', max: field.max, message: t('forms.rule.max', { max: field.max }) });
  }
  if (field.type === 'text' || field.type === 'textarea') {
    if (field.min_length != null) rules.push({ min: field.min_length, message: t('forms.rule.minLength', { min: field.min_length }) });
    if (field.pattern) rules.push({ pattern: new RegExp(`^(?:${field.pattern})$`), message: t('forms.rule.pattern') });
  }
  return rules;
}

function FieldItem({ field, name, values }: { field: FormField; name: (string | number)[]; values: Values }) {
  const { i18n } = useTranslation();
  const rules = useRules(field);
  const label = labelText(field.label, i18n.language);
  const help = field.help ? labelText(field.help, i18n.language) : undefined;
  if (field.type === 'description') {
    return <Typography.Paragraph type="secondary">{label}</Typography.Paragraph>;
  }
  if (field.type === 'formula') {
    const value = evaluateFormula(field.formula ?? '', values, field.precision ?? 2);
    return (
      <Form.Item label={label} extra={help}>
        <Typography.Text strong data-testid={`formula-${field.key}`}>
          {value === null ? '—' : value.toLocaleString()}
          {field.unit ? ` ${field.unit}` : ''}
        </Typography.Text>
      </Form.Item>
    );
  }
  return (
    <Form.Item
      name={name}
      label={label}
      extra={help}
      rules={rules}
      required={field.required ?? false}
      valuePropName="value"
    >
      <FieldInput field={field} />
    </Form.Item>
  );
}

function SubTable({ field, rows }: { field: FormField; rows: Values[] }) {
  const { t, i18n } = useTranslation();
  const label = labelText(field.label, i18n.language);
  return (
    <Form.Item label={label} required={(field.min_rows ?? 0) > 0}>
      <Form.List name={field.key}>
        {(items, { add, remove }) => (
          <div className="forms-subtable">
            {items.map((item, index) => (
              <Card
                key={item.key}
                size="small"
                style={{ marginBottom: 8 }}
                title={t('forms.fill.row', { n: index + 1 })}
                extra={
                  <Button
                    type="text"
                    size="small"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={t('forms.fill.removeRow', { n: index + 1 })}
                    onClick={() => remove(item.name)}
                  />
                }
              >
                {(field.fields ?? []).map((col) =>
                  showIfHolds(col, rows[index] ?? {}) ? (
                    <FieldItem key={col.key} field={col} name={[item.name, col.key]} values={rows[index] ?? {}} />
                  ) : null,
                )}
              </Card>
            ))}
            {items.length < (field.max_rows ?? 500) && (
              <Button block type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
                {t('forms.fill.addRow')}
              </Button>
            )}
          </div>
        )}
      </Form.List>
    </Form.Item>
  );
}

/** Fill-in for a schema: validates as you type; the server checks everything again. */
export function FormRenderer({ schema, form }: { schema: FormSchema; form: FormInstance<Values> }) {
  const values = (Form.useWatch([], { form, preserve: true }) ?? {}) as Values;
  return (
    <>
      {(schema.fields ?? []).map((field) => {
        if (!showIfHolds(field, values)) return null;
        if (field.type === 'subtable') {
          return <SubTable key={field.key} field={field} rows={(values[field.key] as Values[] | undefined) ?? []} />;
        }
        return <FieldItem key={field.key} field={field} name={[field.key]} values={values} />;
      })}
    </>
  );
}


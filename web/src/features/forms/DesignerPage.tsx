import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, EyeOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntApp, Button, Card, Empty, Form, Input, Modal, Result, Segmented, Space, Spin, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { formsApi, formsKeys } from './api';
import { FieldProperties } from './FieldProperties';
import { FormRenderer } from './FormRenderer';
import { labelText } from './labels';
import { COLUMN_TYPES, newField, PALETTE } from './palette';
import type { FieldType, FormField, FormRead, FormSchema, Values } from './types';
import './forms.css';

/** Where the selection is: a top-level field, or a column of a sub-table. */
type Selection = { index: number; column?: number } | null;

function move<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return list;
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

/** The form designer: a palette, the form as a list to reorder, and a side panel of properties. */
export default function DesignerPage() {
  const { t } = useTranslation();
  const formId = Number(useParams().formId);
  const query = useQuery({ queryKey: formsKeys.form(formId), queryFn: () => formsApi.form(formId) });
  if (query.isLoading) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (!query.data) return <Result status="404" title={t('forms.notFound')} />;
  if (!query.data.my_roles.includes('manage')) return <Result status="403" title={t('forms.noPermission')} />;
  return <Designer key={formId} initial={query.data} />;
}

function Designer({ initial }: { initial: FormRead }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const formId = initial.id;
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: formsKeys.form(formId), queryFn: () => formsApi.form(formId), initialData: initial });
  const [fields, setFields] = useState<FormField[]>(initial.draft?.fields ?? initial.schema?.fields ?? []);
  const [name, setName] = useState(initial.name);
  const [selected, setSelected] = useState<Selection>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [preview, setPreview] = useState<'phone' | 'desktop' | null>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  const [previewForm] = Form.useForm<Values>();

  const schema: FormSchema = { fields };
  const onError = (e: unknown) => {
    if (isApiError(e) && e.fields.length) setProblems(e.fields.map((f) => f.message));
    else message.error(isApiError(e) ? e.message : String(e));
  };
  const save = useMutation({
    mutationFn: () => formsApi.saveDraft(formId, schema, name.trim() || undefined),
    onSuccess: (form) => {
      setProblems([]);
      queryClient.setQueryData(formsKeys.form(formId), form);
      message.success(t('forms.designer.saved'));
    },
    onError,
  });
  const publish = useMutation({
    mutationFn: async () => {
      await formsApi.saveDraft(formId, schema, name.trim() || undefined);
      return formsApi.publish(formId);
    },
    onSuccess: (form) => {
      setProblems([]);
      queryClient.setQueryData(formsKeys.form(formId), form);
      void queryClient.invalidateQueries({ queryKey: formsKeys.apps });
      message.success(t('forms.designer.published', { n: form.version_number }));
    },
    onError,
  });

  const taken = new Set(fields.map((f) => f.key));
  const add = (type: FieldType, at?: number) => {
    const field = newField(type, taken, t(`forms.type.${type}`));
    const index = at ?? fields.length;
    setFields([...fields.slice(0, index), field, ...fields.slice(index)]);
    setSelected({ index });
  };
  const current = selected ? fields[selected.index] : undefined;
  const currentColumn = current && selected?.column !== undefined ? current.fields?.[selected.column] : undefined;
  const update = (field: FormField) => {
    if (!selected) return;
    setFields(fields.map((f, i) => (i === selected.index ? field : f)));
  };
  const updateColumn = (column: FormField) => {
    if (!current || selected?.column === undefined) return;
    update({ ...current, fields: (current.fields ?? []).map((c, i) => (i === selected.column ? column : c)) });
  };

  return (
    <div className="forms-page">
      <Space style={{ marginBottom: 12, width: '100%', justifyContent: 'space-between' }} wrap>
        <Space wrap>
          <Input aria-label={t('forms.designer.formName')} value={name} onChange={(e) => setName(e.target.value)} style={{ width: 240 }} />
          <Tag color={query.data.status === 'published' ? 'green' : 'gold'}>
            {t(`forms.status.${query.data.status}`)}
            {query.data.version_number ? ` v${query.data.version_number}` : ''}
          </Tag>
        </Space>
        <Space wrap>
          <Button icon={<EyeOutlined />} onClick={() => setPreview('phone')}>{t('forms.designer.preview')}</Button>
          <Button onClick={() => save.mutate()} loading={save.isPending}>{t('forms.designer.save')}</Button>
          <Button type="primary" onClick={() => publish.mutate()} loading={publish.isPending}>{t('forms.designer.publish')}</Button>
          {query.data.status === 'published' && (
            <Button onClick={() => void navigate(`/forms/${formId}/dashboard`)}>{t('forms.action.dashboard')}</Button>
          )}
        </Space>
      </Space>
      {problems.length > 0 && (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} message={t('forms.designer.problems')} description={<ul style={{ margin: 0 }}>{problems.map((p) => <li key={p}>{p}</li>)}</ul>} />
      )}
      <div className="forms-designer">
        <Card size="small" title={t('forms.designer.palette')} className="forms-palette">
          {PALETTE.map((type) => (
            <Button
              key={type}
              size="small"
              draggable
              onDragStart={(e) => e.dataTransfer.setData('text/x-field-type', type)}
              onClick={() => add(type)}
            >
              {t(`forms.type.${type}`)}
            </Button>
          ))}
        </Card>
        <Card
          size="small"
          title={t('forms.designer.canvas')}
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => {
            const type = e.dataTransfer.getData('text/x-field-type') as FieldType;
            if (type) add(type);
          }}
        >
          {fields.length === 0 && <Empty description={t('forms.designer.empty')} />}
          {fields.map((f, i) => (
            <div
              key={`${f.key}-${i}`}
              data-testid={`canvas-${f.key}`}
              className={`forms-canvas-item${selected?.index === i && selected.column === undefined ? ' selected' : ''}${dragging === i ? ' dragging' : ''}`}
              draggable
              onDragStart={(e) => { setDragging(i); e.dataTransfer.setData('text/x-field-index', String(i)); }}
              onDragEnd={() => setDragging(null)}
              onDragOver={(e) => e.preventDefault()}
              onDrop={(e) => {
                e.stopPropagation();
                const type = e.dataTransfer.getData('text/x-field-type') as FieldType;
                if (type) return add(type, i);
                const from = Number(e.dataTransfer.getData('text/x-field-index'));
                if (!Number.isNaN(from)) { setFields(move(fields, from, i)); setSelected({ index: i }); }
              }}
              onClick={() => setSelected({ index: i })}
            >
              <Space style={{ width: '100%', justifyContent: 'space-between' }}>
                <Space>
                  <Typography.Text strong>{labelText(f.label, i18n.language) || f.key}</Typography.Text>
                  {f.required && <Typography.Text type="danger">*</Typography.Text>}
                  <Tag>{t(`forms.type.${f.type}`)}</Tag>
                </Space>
                <Space size={0}>
                  <Button size="small" type="text" icon={<ArrowUpOutlined />} aria-label={t('forms.designer.up')} onClick={(e) => { e.stopPropagation(); setFields(move(fields, i, i - 1)); setSelected({ index: Math.max(0, i - 1) }); }} />
                  <Button size="small" type="text" icon={<ArrowDownOutlined />} aria-label={t('forms.designer.down')} onClick={(e) => { e.stopPropagation(); setFields(move(fields, i, i + 1)); setSelected({ index: Math.min(fields.length - 1, i + 1) }); }} />
                  <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('forms.designer.remove')} onClick={(e) => { e.stopPropagation(); setFields(fields.filter((_, j) => j !== i)); setSelected(null); }} />
                </Space>
              </Space>
              {f.type === 'subtable' && (
                <Space wrap size={4} style={{ marginTop: 6 }}>
                  {(f.fields ?? []).map((c, ci) => (
                    <Tag
                      key={`${c.key}-${ci}`}
                      color={selected?.index === i && selected.column === ci ? 'blue' : undefined}
                      closable
                      onClose={(e) => { e.preventDefault(); update({ ...f, fields: (f.fields ?? []).filter((_, j) => j !== ci) }); }}
                      onClick={(e) => { e.stopPropagation(); setSelected({ index: i, column: ci }); }}
                      style={{ cursor: 'pointer' }}
                    >
                      {labelText(c.label, i18n.language) || c.key}
                    </Tag>
                  ))}
                  {COLUMN_TYPES.map((type) => (
                    <Button
                      key={type}
                      size="small"
                      type="dashed"
                      onClick={(e) => {
                        e.stopPropagation();
                        const col = newField(type, new Set((f.fields ?? []).map((c) => c.key)), t(`forms.type.${type}`));
                        setFields(fields.map((g, j) => (j === i ? { ...f, fields: [...(f.fields ?? []), col] } : g)));
                        setSelected({ index: i, column: (f.fields ?? []).length });
                      }}
                    >
                      + {t(`forms.type.${type}`)}
                    </Button>
                  ))}
                </Space>
              )}
            </div>
          ))}
        </Card>
        <Card size="small" title={t('forms.designer.properties')}>
          {currentColumn && current ? (
            <FieldProperties field={currentColumn} siblings={current.fields ?? []} onChange={updateColumn} />
          ) : current ? (
            <FieldProperties field={current} siblings={fields} onChange={update} />
          ) : (
            <Typography.Text type="secondary">{t('forms.designer.selectField')}</Typography.Text>
          )}
        </Card>
      </div>
      <Modal
        open={preview !== null}
        onCancel={() => setPreview(null)}
        footer={null}
        width={preview === 'desktop' ? 820 : 460}
        title={
          <Segmented
            value={preview ?? 'phone'}
            onChange={(v) => setPreview(v as 'phone' | 'desktop')}
            options={[
              { value: 'phone', label: t('forms.designer.phone') },
              { value: 'desktop', label: t('forms.designer.desktop') },
            ]}
          />
        }
      >
        <div className={preview === 'phone' ? 'forms-preview-phone forms-fill' : 'forms-fill'}>
          <Form form={previewForm} layout="vertical">
            <FormRenderer schema={schema} form={previewForm} />
          </Form>
        </div>
      </Modal>
    </div>
  );
}

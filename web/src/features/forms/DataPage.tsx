import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Checkbox, Input, Popover, Result, Segmented, Space, Table, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { formsApi, formsKeys } from './api';
import { useDepartments } from '../org/useDepartments';
import { displayValue } from './display';
import { formatTime } from './format';
import { labelText, nameText } from './labels';
import type { SubmissionRead } from './types';
import './forms.css';

/** The submissions I may read, as a table: search, sort, choose columns, export to Excel. */
export default function DataPage() {
  const { t, i18n } = useTranslation();
  const formId = Number(useParams().formId);
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [layout, setLayout] = useState<'sheets' | 'flat'>('sheets');
  const form = useQuery({ queryKey: formsKeys.form(formId), queryFn: () => formsApi.form(formId) });
  const query = { q: q || undefined, offset: (page - 1) * 20, limit: 20 };
  const data = useQuery({ queryKey: formsKeys.submissions(formId, query), queryFn: () => formsApi.submissions(formId, query) });
  const departments = useDepartments();
  const deptNames = useMemo(() => new Map((departments.data ?? []).map((d) => [d.id, d.name])), [departments.data]);
  const fields = useMemo(() => (form.data?.schema?.fields ?? []).filter((f) => f.type !== 'description'), [form.data]);
  if (form.isError) return <Result status="404" title={t('forms.notFound')} />;
  const columns = [
    { key: 'id', title: t('forms.data.no'), dataIndex: 'id', width: 70 },
    { key: 'submitter', title: t('forms.data.submitter'), render: (_: unknown, r: SubmissionRead) => r.submitter_name },
    {
      key: 'created_at',
      title: t('forms.data.time'),
      render: (_: unknown, r: SubmissionRead) => (
        <Space size={4}>
          {formatTime(r.created_at)}
          {r.late && <Tag color="orange">{t('forms.late')}</Tag>}
        </Space>
      ),
    },
    ...fields
      .filter((f) => !hidden.has(f.key))
      .map((f) => ({
        key: f.key,
        title: labelText(f.label, i18n.language),
        render: (_: unknown, r: SubmissionRead) => displayValue(f, r.values[f.key], i18n.language, deptNames),
      })),
  ];
  return (
    <div className="forms-page">
      <Card
        title={form.data ? nameText(form.data, i18n.language) : ''}
        extra={
          <Space wrap>
            <Input.Search allowClear placeholder={t('forms.data.search')} onSearch={(v) => { setQ(v); setPage(1); }} style={{ width: 200 }} />
            <Popover
              trigger="click"
              content={
                <Space direction="vertical">
                  {fields.map((f) => (
                    <Checkbox
                      key={f.key}
                      checked={!hidden.has(f.key)}
                      onChange={(e) => {
                        const next = new Set(hidden);
                        if (e.target.checked) next.delete(f.key);
                        else next.add(f.key);
                        setHidden(next);
                      }}
                    >
                      {labelText(f.label, i18n.language)}
                    </Checkbox>
                  ))}
                </Space>
              }
            >
              <Button>{t('forms.data.columns')}</Button>
            </Popover>
            <Segmented
              value={layout}
              onChange={(v) => setLayout(v as 'sheets' | 'flat')}
              options={[
                { value: 'sheets', label: t('forms.data.sheets') },
                { value: 'flat', label: t('forms.data.flat') },
              ]}
            />
            <Button icon={<DownloadOutlined />} href={formsApi.exportUrl(formId, { subtables: layout })}>
              {t('forms.data.export')}
            </Button>
          </Space>
        }
      >
        <Table
          rowKey="id"
          size="small"
          scroll={{ x: true }}
          loading={data.isLoading}
          dataSource={data.data?.items ?? []}
          columns={columns}
          pagination={{ current: page, pageSize: 20, total: data.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        />
      </Card>
    </div>
  );
}

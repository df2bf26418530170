import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Checkbox, Input, Popover, Result, Segmented, Space, Table, Tag } from 'antd';
import type { TableProps } from 'antd';
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

/** The submissions I may read, as a table: search, sort and filter by field (on the server, over
 * every page), choose columns, export to Excel. */
export default function DataPage() {
  const { t, i18n } = useTranslation();
  const formId = Number(useParams().formId);
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [layout, setLayout] = useState<'sheets' | 'flat'>('sheets');
  const [order, setOrder] = useState('-created_at');
  const [picked, setPicked] = useState<Record<string, (string | number)[]>>({});
  const form = useQuery({ queryKey: formsKeys.form(formId), queryFn: () => formsApi.form(formId) });
  const filterList = Object.entries(picked)
    .filter(([, values]) => values.length > 0)
    .map(([field, values]) => ({ field, op: 'in', value: values }));
  const query = {
    q: q || undefined,
    order,
    filters: filterList.length ? JSON.stringify(filterList) : undefined,
    offset: (page - 1) * 20,
    limit: 20,
  };
  const data = useQuery({ queryKey: formsKeys.submissions(formId, query), queryFn: () => formsApi.submissions(formId, query) });
  const departments = useDepartments();
  const deptNames = useMemo(() => new Map((departments.data ?? []).map((d) => [d.id, d.name])), [departments.data]);
  const fields = useMemo(() => (form.data?.schema?.fields ?? []).filter((f) => f.type !== 'description'), [form.data]);
  // Only top-level fields with a statistics slot can be sorted or filtered on the server.
  const slotted = useMemo(
    () => new Set((form.data?.stat_fields ?? []).filter((s) => s.table === '').map((s) => s.key)),
    [form.data],
  );
  const sortOrder = (key: string) =>
    order === key ? ('ascend' as const) : order === `-${key}` ? ('descend' as const) : null;
  const onChange: TableProps<SubmissionRead>['onChange'] = (pagination, filters, sorter) => {
    const one = Array.isArray(sorter) ? sorter[0] : sorter;
    const key = one?.order ? String(one.columnKey) : 'created_at';
    setOrder(one?.order === 'ascend' ? key : `-${key}`);
    setPicked(Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, (v ?? []) as (string | number)[]])));
    setPage(pagination.current ?? 1);
  };
  if (form.isError) return <Result status="404" title={t('forms.notFound')} />;
  const columns = [
    { key: 'id', title: t('forms.data.no'), dataIndex: 'id', width: 70 },
    { key: 'submitter', title: t('forms.data.submitter'), render: (_: unknown, r: SubmissionRead) => r.submitter_name },
    {
      key: 'created_at',
      title: t('forms.data.time'),
      sorter: true,
      sortOrder: sortOrder('created_at'),
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
        sorter: slotted.has(f.key),
        sortOrder: slotted.has(f.key) ? sortOrder(f.key) : null,
        filters: !slotted.has(f.key)
          ? undefined
          : f.type === 'select'
            ? (f.options ?? []).map((o) => ({ text: labelText(o.label, i18n.language), value: o.value }))
            : f.type === 'department'
              ? (departments.data ?? []).map((d) => ({ text: d.name, value: d.id }))
              : undefined,
        filteredValue: picked[f.key] ?? null,
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
          onChange={onChange}
          pagination={{ current: page, pageSize: 20, total: data.data?.total ?? 0, showSizeChanger: false }}
        />
      </Card>
    </div>
  );
}

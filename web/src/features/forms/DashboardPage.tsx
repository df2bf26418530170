import { BellOutlined, DownloadOutlined, SendOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Empty, List, Progress, Result, Segmented, Select, Space, Spin, Statistic, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { isApiError } from '../../api/client';
import { subscribeStream } from '../../realtime/streamListeners';
import { formsApi, formsKeys, type StatsQuery } from './api';
import { Chart } from './Chart';
import { formatNumber, formatTime } from './format';
import { nameText } from './labels';
import { pivot } from './pivot';
import { TaskModal } from './TaskModal';
import type { StatField, TaskDetail } from './types';
import './forms.css';

function defaults(fields: StatField[]): { group: string[]; measures: string[] } {
  const dims = fields.filter((f) => f.kind === 'dimension');
  const sub = fields.find((f) => f.table && f.kind === 'measure')?.table;
  const measures = fields.filter((f) => f.kind === 'measure' && f.table === (sub ?? ''));
  return { group: dims.slice(0, 1).map((d) => d.key), measures: measures.slice(0, 2).map((m) => `sum:${m.key}`) };
}

function TaskPanel({ task, onRemind, reminding }: { task: TaskDetail; onRemind: () => void; reminding: boolean }) {
  const { t } = useTranslation();
  const missing = task.assignees.filter((a) => !a.submission_id);
  return (
    <Card
      size="small"
      title={
        <Space wrap>
          {task.title}
          <Typography.Text type="secondary">{t('forms.todo.deadline', { time: formatTime(task.deadline) })}</Typography.Text>
          {task.overdue && <Tag color="red">{t('forms.task.overdue')}</Tag>}
        </Space>
      }
      extra={
        <Button icon={<BellOutlined />} onClick={onRemind} loading={reminding} disabled={!missing.length} data-testid="remind">
          {t('forms.task.remind', { count: missing.length })}
        </Button>
      }
      style={{ marginBottom: 12 }}
    >
      <Progress percent={task.total ? Math.round((task.submitted / task.total) * 100) : 0} format={() => `${task.submitted}/${task.total}`} />
      <Typography.Title level={5} style={{ marginTop: 12 }} data-testid="missing-title">
        {t('forms.task.missing', { count: missing.length })}
      </Typography.Title>
      <List
        size="small"
        grid={{ gutter: 8, xs: 1, sm: 2, md: 3 }}
        dataSource={task.assignees}
        renderItem={(a) => (
          <List.Item data-testid={a.submission_id ? 'assignee-done' : 'assignee-missing'}>
            <Space>
              <Tag color={a.submission_id ? (a.late ? 'orange' : 'green') : 'default'}>
                {a.submission_id ? (a.late ? t('forms.late') : t('forms.task.submitted')) : t('forms.task.notYet')}
              </Tag>
              <span>{a.department_name ?? '—'}</span>
              <Typography.Text type="secondary">{a.name}</Typography.Text>
              {a.reminders > 0 && !a.submission_id && <Typography.Text type="secondary">{t('forms.task.reminded', { count: a.reminders })}</Typography.Text>}
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}

/** Live statistics of a form: number cards, a chart, a pivot, the task's progress, Excel. */
export default function DashboardPage() {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const formId = Number(useParams().formId);
  const [params, setParams] = useSearchParams();
  const queryClient = useQueryClient();
  const form = useQuery({ queryKey: formsKeys.form(formId), queryFn: () => formsApi.form(formId) });
  const fields = useMemo(() => form.data?.stat_fields ?? [], [form.data]);
  const manage = form.data?.my_roles.includes('manage') ?? false;
  const tasks = useQuery({ queryKey: formsKeys.formTasks(formId), queryFn: () => formsApi.formTasks(formId), enabled: manage });
  const taskId = params.get('task') ? Number(params.get('task')) : tasks.data?.[0]?.id;
  const task = useQuery({ queryKey: formsKeys.task(taskId ?? 0), queryFn: () => formsApi.task(taskId ?? 0), enabled: manage && !!taskId });
  const [group, setGroup] = useState<string[] | null>(null);
  const [measures, setMeasures] = useState<string[] | null>(null);
  const [kind, setKind] = useState<'bar' | 'line' | 'pie'>('bar');
  const [creating, setCreating] = useState(false);
  const chosen = defaults(fields);
  const groupBy = group ?? chosen.group;
  const measureList = measures ?? chosen.measures;
  const statsQuery: StatsQuery = { group_by: groupBy, measure: measureList, task_id: taskId };
  const stats = useQuery({
    queryKey: formsKeys.stats(formId, statsQuery),
    queryFn: () => formsApi.stats(formId, statsQuery),
    enabled: fields.length > 0,
  });

  useEffect(
    () =>
      subscribeStream((event) => {
        if ((event.type === 'forms.submitted' || event.type === 'forms.task_changed') && event.form_id === formId) {
          void queryClient.invalidateQueries({ queryKey: ['forms', 'stats', formId] });
          void queryClient.invalidateQueries({ queryKey: ['forms', 'task'] });
          void queryClient.invalidateQueries({ queryKey: formsKeys.formTasks(formId) });
        }
      }),
    [formId, queryClient],
  );

  const remind = useMutation({
    mutationFn: () => formsApi.remind(taskId ?? 0),
    onSuccess: (r) => {
      message.success(t('forms.task.reminderSent', { count: r.reminded }));
      void queryClient.invalidateQueries({ queryKey: formsKeys.task(taskId ?? 0) });
    },
    onError: (e) => message.error(isApiError(e) ? e.message : String(e)),
  });

  const labelOf = (key: string) => fields.find((f) => f.key === key)?.label ?? key;
  const measureLabel = (m: string) => {
    const [agg, key] = m.split(':');
    return key ? `${t(`forms.agg.${agg}`)} · ${labelOf(key)}` : t('forms.agg.count');
  };
  const table = useMemo(() => (stats.data ? pivot(stats.data) : null), [stats.data]);

  if (form.isLoading) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (!form.data) return <Result status="404" title={t('forms.notFound')} />;
  const dims = fields.filter((f) => f.kind === 'dimension');
  const measureOptions = [
    { value: 'count', label: t('forms.agg.count') },
    ...fields
      .filter((f) => f.kind === 'measure')
      .flatMap((f) => ['sum', 'avg', 'min', 'max'].map((agg) => ({ value: `${agg}:${f.key}`, label: measureLabel(`${agg}:${f.key}`) }))),
  ];

  return (
    <div className="forms-page">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {nameText(form.data, i18n.language)}
        </Typography.Title>
        <Space wrap>
          {manage && (tasks.data?.length ?? 0) > 0 && (
            <Select
              style={{ minWidth: 180 }}
              value={taskId}
              onChange={(id: number) => setParams({ task: String(id) })}
              options={(tasks.data ?? []).map((tk) => ({ value: tk.id, label: tk.title }))}
            />
          )}
          {manage && (
            <Button type="primary" icon={<SendOutlined />} onClick={() => setCreating(true)}>
              {t('forms.task.new')}
            </Button>
          )}
          <Button icon={<DownloadOutlined />} href={formsApi.exportUrl(formId, { subtables: 'sheets', task_id: taskId, group_by: groupBy, measure: measureList })}>
            {t('forms.data.export')}
          </Button>
        </Space>
      </Space>
      {task.data && <TaskPanel task={task.data} onRemind={() => remind.mutate()} reminding={remind.isPending} />}
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap>
          <span>{t('forms.stats.groupBy')}</span>
          {[0, 1].map((i) => (
            <Select
              key={i}
              allowClear={i === 1}
              placeholder={t('forms.stats.none')}
              style={{ minWidth: 150 }}
              aria-label={t('forms.stats.groupN', { n: i + 1 })}
              value={groupBy[i]}
              onChange={(v?: string) => {
                const next = [...groupBy];
                if (v) next[i] = v;
                else next.splice(i, 1);
                setGroup(next.filter(Boolean));
              }}
              options={dims.map((d) => ({ value: d.key, label: d.label }))}
            />
          ))}
          <span>{t('forms.stats.measures')}</span>
          <Select
            mode="multiple"
            style={{ minWidth: 260 }}
            value={measureList}
            onChange={(v: string[]) => setMeasures(v)}
            options={measureOptions}
            maxCount={6}
          />
          <Segmented
            value={kind}
            onChange={(v) => setKind(v as 'bar' | 'line' | 'pie')}
            options={[
              { value: 'bar', label: t('forms.stats.bar') },
              { value: 'line', label: t('forms.stats.line') },
              { value: 'pie', label: t('forms.stats.pie') },
            ]}
          />
        </Space>
      </Card>
      {stats.isError && <Result status="warning" title={isApiError(stats.error) ? stats.error.message : ''} />}
      {stats.data && (
        <>
          <div className="forms-stat-cards">
            <Card size="small">
              <Statistic title={t('forms.stats.rows')} value={stats.data.rows} />
            </Card>
            {stats.data.measures.map((m, i) => (
              <Card size="small" key={m} data-testid={`total-${m}`}>
                <Statistic title={measureLabel(m)} value={formatNumber(stats.data.totals[i])} />
              </Card>
            ))}
          </div>
          {table && table.rows.length > 0 ? (
            <>
              <Card size="small" style={{ marginBottom: 12 }}>
                <Chart kind={kind} categories={table.chartCategories} series={table.chartSeries(measureLabel)} />
              </Card>
              <Card size="small" title={t('forms.stats.pivot')}>
                <Table
                  size="small"
                  rowKey="key"
                  pagination={false}
                  scroll={{ x: true }}
                  dataSource={table.rows}
                  columns={table.columns(groupBy.map(labelOf), measureLabel, t('forms.stats.total'))}
                  data-testid="pivot"
                />
              </Card>
            </>
          ) : (
            groupBy.length > 0 && <Empty description={t('forms.stats.noData')} />
          )}
        </>
      )}
      {manage && (
        <TaskModal
          formId={formId}
          formName={form.data.name}
          open={creating}
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setParams({ task: String(created.id) });
          }}
        />
      )}
    </div>
  );
}

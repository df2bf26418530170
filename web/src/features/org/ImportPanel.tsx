import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Result, Space, Table, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import type { ImportError, ImportReport } from '../../api/types';
import { IMPORT_TEMPLATE_URL, orgApi, orgKeys } from './api';

/** Upload an org chart, check it (dry run), then import it for real. */
export function ImportPanel() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [done, setDone] = useState<ImportReport | null>(null);

  const check = useMutation({
    mutationFn: (f: File) => orgApi.importOrg(f, true),
    onSuccess: setReport,
    onError: (e) => void message.error(isApiError(e) ? e.message : t('common.error')),
  });
  const run = useMutation({
    mutationFn: (f: File) => orgApi.importOrg(f, false),
    onSuccess: (r) => {
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
      if (r.ok) {
        setDone(r);
        setReport(null);
      } else {
        setReport(r);
      }
    },
    onError: (e) => void message.error(isApiError(e) ? e.message : t('common.error')),
  });

  const reset = () => {
    setFile(null);
    setReport(null);
    setDone(null);
  };

  if (done) {
    return (
      <Result
        status="success"
        title={t('admin.import.done')}
        subTitle={t('admin.import.summary', { total: done.total_rows, created: done.created, updated: done.updated })}
        extra={<Button onClick={reset}>{t('admin.import.another')}</Button>}
      />
    );
  }

  return (
    <div style={{ maxWidth: 900 }}>
      <Typography.Paragraph type="secondary">{t('admin.import.intro')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }}>
        <Upload
          accept=".csv,.xlsx"
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            setReport(null);
            return false; // keep it here; we upload on "check"
          }}
          showUploadList={false}
        >
          <Button icon={<UploadOutlined />}>{t('admin.import.choose')}</Button>
        </Upload>
        {file && (
          <Tag closable onClose={reset} style={{ marginInlineEnd: 0 }}>
            {file.name}
          </Tag>
        )}
        <Button type="primary" disabled={!file} loading={check.isPending} onClick={() => file && check.mutate(file)}>
          {t('admin.import.check')}
        </Button>
        <Button icon={<DownloadOutlined />} href={IMPORT_TEMPLATE_URL} download>
          {t('admin.import.template')}
        </Button>
      </Space>
      {report && (
        <>
          <Alert
            type={report.ok ? 'success' : 'error'}
            showIcon
            title={
              report.ok
                ? t('admin.import.checkOk', { total: report.total_rows, created: report.created, updated: report.updated })
                : t('admin.import.checkFailed', { count: report.errors.length, total: report.total_rows })
            }
            style={{ marginBottom: 12 }}
          />
          {report.errors.length > 0 && (
            <Table<ImportError>
              size="small"
              rowKey={(e, i) => `${e.row}-${e.column}-${i}`}
              dataSource={report.errors}
              pagination={report.errors.length > 20 ? { pageSize: 20 } : false}
              scroll={{ x: 480 }}
              columns={[
                { title: t('admin.import.row'), dataIndex: 'row', width: 80 },
                { title: t('admin.import.column'), dataIndex: 'column', width: 160, render: (v: string | null) => v ?? '—' },
                { title: t('admin.import.reason'), dataIndex: 'message' },
              ]}
              style={{ marginBottom: 12 }}
            />
          )}
          {report.ok && (
            <Button type="primary" loading={run.isPending} onClick={() => file && run.mutate(file)}>
              {t('admin.import.confirm')}
            </Button>
          )}
        </>
      )}
    </div>
  );
}

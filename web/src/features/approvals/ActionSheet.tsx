import { App, Button, Drawer, Form, Input, Radio, Select } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { PersonSelect } from '../org/PersonSelect';
import { uploadFile } from '../im/uploadFile';
import { approvalKeys, approvalsApi, type RequestRead } from './api';
import { SignaturePad, type SignaturePadHandle } from './SignaturePad';

export type ActionKind = 'approve' | 'reject' | 'return' | 'transfer' | 'addSigner';

/**
 * The approver's decision as a bottom sheet: a comment, a handwritten signature, and for the
 * other actions whom or where to. On a phone: open the request, tap 同意, tap 提交.
 */
export function ActionSheet({
  request,
  kind,
  onClose,
  mobile,
}: {
  request: RequestRead;
  kind: ActionKind | null;
  onClose: () => void;
  mobile: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const pad = useRef<SignaturePadHandle>(null);
  const [comment, setComment] = useState('');
  const [person, setPerson] = useState<number | null>(null);
  const [position, setPosition] = useState<'before' | 'after'>('after');
  const [node, setNode] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const taskId = request.my_task_id ?? 0;

  const act = useMutation({
    mutationFn: async () => {
      let signature: string | null = null;
      const blob = kind === 'approve' || kind === 'reject' || kind === 'return' ? await pad.current?.toBlob() : null;
      if (blob) signature = (await uploadFile(new File([blob], 'signature.png', { type: 'image/png' }), () => undefined)).id;
      const body = { comment, signature_file_id: signature };
      switch (kind) {
        case 'approve':
          return approvalsApi.approve(taskId, body);
        case 'reject':
          return approvalsApi.reject(taskId, body);
        case 'return':
          return approvalsApi.return(taskId, { ...body, node_id: node || null });
        case 'transfer':
          return approvalsApi.transfer(taskId, { comment, person_id: person ?? 0 });
        default:
          return approvalsApi.addSigner(taskId, { comment, person_id: person ?? 0, position });
      }
    },
    onSuccess: (data) => {
      queryClient.setQueryData(approvalKeys.request(request.id), data);
      void queryClient.invalidateQueries({ queryKey: approvalKeys.all });
      void message.success(t('approvals.done'));
      setComment('');
      onClose();
    },
    onError: (e) => {
      setError(isApiError(e) ? (e.fields?.[0]?.message ?? e.message) : String(e));
    },
  });

  const needsPerson = kind === 'transfer' || kind === 'addSigner';
  return (
    <Drawer
      open={kind !== null}
      onClose={onClose}
      placement={mobile ? 'bottom' : 'right'}
      size={mobile ? 520 : 420}
      title={kind ? t(`approvals.action.${kind}`) : ''}
      destroyOnHidden
      extra={
        <Button
          type="primary"
          danger={kind === 'reject'}
          loading={act.isPending}
          disabled={needsPerson && !person}
          onClick={() => {
            setError(null);
            act.mutate();
          }}
          data-testid="action-submit"
        >
          {t('approvals.submitAction')}
        </Button>
      }
    >
      <Form layout="vertical">
        {needsPerson ? (
          <Form.Item label={t('approvals.person')} required>
            <PersonSelect value={person} onChange={setPerson} excludeId={request.submitter.id} />
          </Form.Item>
        ) : null}
        {kind === 'addSigner' ? (
          <Form.Item label={t('approvals.position.label')}>
            <Radio.Group value={position} onChange={(e) => setPosition(e.target.value as 'before' | 'after')}>
              <Radio value="before">{t('approvals.position.before')}</Radio>
              <Radio value="after">{t('approvals.position.after')}</Radio>
            </Radio.Group>
          </Form.Item>
        ) : null}
        {kind === 'return' ? (
          <Form.Item label={t('approvals.returnTo')}>
            <Select
              value={node}
              onChange={setNode}
              options={[
                { value: '', label: t('approvals.returnToSubmitter') },
                ...request.returnable_nodes.map((n) => ({ value: n.id, label: n.name })),
              ]}
            />
          </Form.Item>
        ) : null}
        <Form.Item label={t('approvals.comment')}>
          <Input.TextArea
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            autoSize={{ minRows: 2, maxRows: 5 }}
            maxLength={2000}
            placeholder={t('approvals.commentPlaceholder')}
            data-testid="action-comment"
          />
        </Form.Item>
        {kind === 'approve' || kind === 'reject' || kind === 'return' ? (
          <Form.Item label={t('approvals.signature.label')}>
            <SignaturePad ref={pad} />
          </Form.Item>
        ) : null}
        {error ? (
          <div role="alert" style={{ color: '#ff4d4f' }}>
            {error}
          </div>
        ) : null}
      </Form>
    </Drawer>
  );
}

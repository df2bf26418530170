import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { showFormErrors } from '../../api/formErrors';
import { imApi, imKeys } from './api';
import { PeopleMultiSelect } from './PeopleMultiSelect';

export function NewGroupModal({ open, onClose, myId }: { open: boolean; onClose: () => void; myId: number }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ name: string; member_ids: number[] }>();
  const [busy, setBusy] = useState(false);

  const create = async (values: { name: string; member_ids: number[] }) => {
    setBusy(true);
    try {
      const c = await imApi.createConversation({ kind: 'group', name: values.name.trim(), member_ids: values.member_ids });
      await queryClient.invalidateQueries({ queryKey: imKeys.conversations });
      form.resetFields();
      onClose();
      void navigate(`/im/${c.id}`);
    } catch (e) {
      showFormErrors(form, e, (text) => message.error(text), t('common.error'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('im.newGroup')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('im.createGroup')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: busy }}
      forceRender
    >
      <Form form={form} layout="vertical" onFinish={(v) => void create(v)} initialValues={{ name: '', member_ids: [] }}>
        <Form.Item name="name" label={t('im.groupName')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="member_ids" label={t('im.members')} rules={[{ required: true, message: t('im.pickMembers') }]}>
          <PeopleMultiSelect excludeIds={[myId]} placeholder={t('im.pickMembers')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

import { ArrowLeftOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Drawer, Form, Input, InputNumber, Radio, Result, Select, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { useIsMobile } from '../../shell/useIsMobile';
import { PeopleMultiSelect } from '../im/PeopleMultiSelect';
import { DepartmentSelect } from '../org/DepartmentSelect';
import { approvalKeys, approvalsApi, labelText, type Branch, type Condition, type FlowJson, type FlowNode, type FormSchema, type Who } from './api';
import { addBranch, findNode, insertNode, newNode, removeNode, updateBranch, updateNode } from './flowEdit';
import { FlowOutline } from './FlowOutline';
import './approvals.css';

/** The flow designer: the template's flow as a vertical chain, edited in place, saved as a new version. */
export default function DesignerPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { templateId } = useParams();
  const id = Number(templateId);
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const template = useQuery({ queryKey: approvalKeys.template(id), queryFn: () => approvalsApi.template(id) });
  // The designer's working copy; until the first edit it is the saved flow.
  const [edited, setEdited] = useState<FlowJson | null>(null);
  const [nodeId, setNodeId] = useState<string | null>(null);
  const [branchAt, setBranchAt] = useState<{ block: string; index: number } | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const flow = edited ?? template.data?.flow ?? null;
  const edit = (fn: (nodes: FlowNode[]) => FlowNode[]) => {
    if (flow) setEdited({ ...flow, nodes: fn(flow.nodes) });
  };

  const save = useMutation({
    mutationFn: () => {
      const tpl = template.data;
      if (!tpl || !flow) throw new Error('not loaded');
      return approvalsApi.saveTemplate(id, {
        name: tpl.name,
        name_en: tpl.name_en,
        description: tpl.description,
        icon: tpl.icon,
        admin_ids: tpl.admin_ids,
        schema: tpl.schema,
        flow,
      });
    },
    onSuccess: (saved) => {
      setProblems([]);
      queryClient.setQueryData(approvalKeys.template(id), saved);
      void queryClient.invalidateQueries({ queryKey: approvalKeys.templates });
      void message.success(t('approvals.designer.saved', { version: saved.version_number }));
    },
    onError: (e) => setProblems(isApiError(e) ? (e.fields.length ? e.fields.map((f) => f.message) : [e.message]) : [String(e)]),
  });

  if (template.isLoading || !flow) return <Spin style={{ display: 'block', margin: 64 }} />;
  if (!template.data) return <Result status="404" title={t('approvals.notFound')} />;
  const schema = template.data.schema;
  const node = nodeId ? findNode(flow.nodes, nodeId) : null;
  const block = branchAt ? findNode(flow.nodes, branchAt.block) : null;
  const branch = block && (block.type === 'condition' || block.type === 'parallel') && branchAt ? (block.branches[branchAt.index] ?? null) : null;

  return (
    <div className={`approvals-designer ${mobile ? 'is-mobile' : ''}`} data-testid="designer-page">
      <div className="approvals-detail-head">
        <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => void navigate('/approvals/templates')} aria-label={t('approvals.back')} />
        <Typography.Title level={4} style={{ margin: 0, flex: 1 }}>
          {i18n.language === 'en-US' && template.data.name_en ? template.data.name_en : template.data.name}
        </Typography.Title>
        <Button type="primary" loading={save.isPending} onClick={() => save.mutate()} data-testid="save-flow">
          {t('approvals.designer.save')}
        </Button>
      </div>
      {problems.length ? (
        <div role="alert" className="approvals-problem">
          {problems.map((p) => (
            <div key={p}>{p}</div>
          ))}
        </div>
      ) : null}
      <div className="approvals-canvas">
        <div className="approvals-node-card type-start">{t('approvals.flow.submit')}</div>
        <FlowOutline
          nodes={flow.nodes}
          editing={{
            selected: nodeId,
            onInsert: (chain, index, kind) => {
              const created = newNode(kind, t(`approvals.designer.defaultName.${kind}`));
              edit((nodes) => insertNode(nodes, chain, index, created));
              if (kind !== 'condition' && kind !== 'parallel') setNodeId(created.id);
            },
            onSelect: setNodeId,
            onDelete: (id) => edit((nodes) => removeNode(nodes, id)),
            onAddBranch: (id) => edit((nodes) => addBranch(nodes, id)),
            onSelectBranch: (id, index) => setBranchAt({ block: id, index }),
          }}
        />
        <div className="approvals-node-card type-end">{t('approvals.flow.end')}</div>
      </div>
      <Drawer open={node !== null} onClose={() => setNodeId(null)} title={t('approvals.designer.editNode')} size={mobile ? '100%' : 420} destroyOnHidden>
        {node && node.type !== 'condition' && node.type !== 'parallel' ? (
          <NodeEditor node={node} schema={schema} onChange={(next) => edit((nodes) => updateNode(nodes, node.id, () => next))} />
        ) : null}
      </Drawer>
      <Drawer open={branch !== null} onClose={() => setBranchAt(null)} title={t('approvals.designer.editBranch')} size={mobile ? '100%' : 480} destroyOnHidden>
        {branch && block && branchAt && (block.type === 'condition' || block.type === 'parallel') ? (
          <BranchEditor
            branch={branch}
            schema={schema}
            conditional={block.type === 'condition'}
            isDefault={block.type === 'condition' && branchAt.index === block.branches.length - 1}
            onChange={(next) => edit((nodes) => updateBranch(nodes, branchAt.block, branchAt.index, () => next))}
          />
        ) : null}
      </Drawer>
    </div>
  );
}

type PeopleNode = Exclude<FlowNode, { type: 'condition' | 'parallel' }>;

function NodeEditor({ node, schema, onChange }: { node: PeopleNode; schema: FormSchema; onChange: (next: PeopleNode) => void }) {
  const { t, i18n } = useTranslation();
  const who: Who = node.who[0] ?? { kind: 'people', people: [] };
  const setWho = (next: Who) => onChange({ ...node, who: [next] });
  const memberFields = schema.fields.filter((f) => f.type === 'member');
  const kinds: Who['kind'][] = node.type === 'cc' ? ['people', 'title', 'manager', 'dept_head'] : ['people', 'title', 'manager', 'dept_head', 'field', 'submitter_picks'];
  return (
    <Form layout="vertical">
      <Form.Item label={t('approvals.designer.name')}>
        <Input
          value={node.name.zh}
          onChange={(e) => onChange({ ...node, name: { ...node.name, zh: e.target.value } })}
          data-testid="node-name"
        />
      </Form.Item>
      <Form.Item label={t('approvals.designer.nameEn')}>
        <Input
          value={node.name.en ?? ''}
          onChange={(e) => onChange({ ...node, name: { ...node.name, en: e.target.value } })}
        />
      </Form.Item>
      <Form.Item label={t('approvals.designer.who')}>
        <Select
          value={who.kind}
          onChange={(kind: Who['kind']) => setWho({ kind, level: 1, people: [], titles: [], field: memberFields[0]?.key ?? null })}
          options={kinds.map((k) => ({ value: k, label: t(`approvals.who.${k}`) }))}
          data-testid="who-kind"
        />
      </Form.Item>
      {who.kind === 'people' ? (
        <Form.Item label={t('approvals.who.people')}>
          <PeopleMultiSelect value={who.people ?? []} onChange={(people) => setWho({ ...who, people })} />
        </Form.Item>
      ) : null}
      {who.kind === 'title' ? (
        <Form.Item label={t('approvals.who.title')} extra={t('approvals.designer.titleHint')}>
          <Select mode="tags" value={who.titles ?? []} onChange={(titles: string[]) => setWho({ ...who, titles })} />
        </Form.Item>
      ) : null}
      {who.kind === 'manager' || who.kind === 'dept_head' ? (
        <Form.Item label={t('approvals.designer.level')}>
          <InputNumber min={1} max={10} value={who.level ?? 1} onChange={(level) => setWho({ ...who, level: level ?? 1 })} />
        </Form.Item>
      ) : null}
      {who.kind === 'field' ? (
        <Form.Item label={t('approvals.who.field')}>
          <Select
            value={who.field ?? undefined}
            onChange={(field: string) => setWho({ ...who, field })}
            options={memberFields.map((f) => ({ value: f.key, label: labelText(f.label, i18n.language) }))}
          />
        </Form.Item>
      ) : null}
      {node.type === 'approver' ? (
        <Form.Item label={t('approvals.designer.mode')}>
          <Radio.Group
            value={node.mode ?? 'sequence'}
            onChange={(e) => onChange({ ...node, mode: e.target.value as 'sequence' | 'all' | 'any' })}
          >
            <Space orientation="vertical">
              {(['sequence', 'all', 'any'] as const).map((m) => (
                <Radio key={m} value={m}>
                  {t(`approvals.mode.${m}`)} — {t(`approvals.modeHelp.${m}`)}
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Form.Item>
      ) : null}
      {node.type !== 'cc' ? (
        <Form.Item label={t('approvals.designer.onEmpty')}>
          <Select
            value={node.on_empty ?? (node.type === 'approver' ? 'admin' : 'skip')}
            onChange={(v: string) => onChange({ ...node, on_empty: v })}
            options={['skip', 'admin', 'refuse'].map((v) => ({ value: v, label: t(`approvals.onEmpty.${v}`) }))}
          />
        </Form.Item>
      ) : null}
    </Form>
  );
}

const OPS: Condition['op'][] = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne', 'in', 'filled', 'empty'];

function BranchEditor({
  branch,
  schema,
  conditional,
  isDefault,
  onChange,
}: {
  branch: Branch;
  schema: FormSchema;
  conditional: boolean;
  isDefault: boolean;
  onChange: (next: Branch) => void;
}) {
  const { t, i18n } = useTranslation();
  const when = branch.when ?? [];
  const lefts = [
    ...schema.fields.filter((f) => f.type !== 'description').map((f) => ({ value: f.key, label: labelText(f.label, i18n.language) })),
    { value: '$submitter.department', label: t('approvals.designer.submitterDepartment') },
    { value: '$submitter.title', label: t('approvals.designer.submitterTitle') },
  ];
  const update = (next: Condition[]) => onChange({ ...branch, when: next });
  return (
    <Form layout="vertical">
      <Form.Item label={t('approvals.designer.name')}>
        <Input
          value={branch.name.zh}
          onChange={(e) => onChange({ ...branch, name: { ...branch.name, zh: e.target.value } })}
        />
      </Form.Item>
      {!conditional ? null : isDefault ? (
        <Typography.Paragraph type="secondary">{t('approvals.designer.defaultHelp')}</Typography.Paragraph>
      ) : (
        <>
          {when.map((c, i) => (
            <Space.Compact key={i} style={{ width: '100%', marginBottom: 8 }}>
              <Select style={{ width: '40%' }} value={c.left} options={lefts} onChange={(left: string) => update(when.map((x, j) => (j === i ? { ...x, left } : x)))} />
              <Select
                style={{ width: '25%' }}
                value={c.op}
                options={OPS.map((op) => ({ value: op, label: t(`approvals.op.${op}`) }))}
                onChange={(op: Condition['op']) => update(when.map((x, j) => (j === i ? { ...x, op } : x)))}
              />
              {c.left === '$submitter.department' ? (
                <div style={{ width: '35%' }}>
                  <DepartmentSelect
                    multiple
                    value={(c.value as number[]) ?? []}
                    onChange={(v) => update(when.map((x, j) => (j === i ? { ...x, op: 'in', value: v } : x)))}
                  />
                </div>
              ) : (
                <Input
                  style={{ width: '35%' }}
                  value={c.value === undefined ? '' : String(c.value as string | number)}
                  onChange={(e) => {
                    const raw = e.target.value;
                    const value = raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
                    update(when.map((x, j) => (j === i ? { ...x, value } : x)));
                  }}
                />
              )}
            </Space.Compact>
          ))}
          <Button onClick={() => update([...when, { left: lefts[0]?.value ?? '', op: 'gt', value: 0 }])}>{t('approvals.designer.addCondition')}</Button>
        </>
      )}
    </Form>
  );
}

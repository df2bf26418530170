import { BranchesOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Dropdown, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { labelText, type FlowNode } from './api';
import { ROOT, whoText, type NewKind } from './flowEdit';

export interface Editing {
  onInsert: (chain: string, index: number, kind: NewKind) => void;
  onSelect: (id: string) => void;
  onDelete: (id: string) => void;
  onAddBranch: (blockId: string) => void;
  onSelectBranch: (blockId: string, index: number) => void;
  selected?: string | null;
}

function AddButton({ chain, index, editing }: { chain: string; index: number; editing?: Editing }) {
  const { t } = useTranslation();
  if (!editing) return <div className="approvals-chain-line" />;
  const kinds: NewKind[] = ['approver', 'handler', 'cc', 'condition', 'parallel'];
  return (
    <div className="approvals-chain-line">
      <Dropdown
        menu={{
          items: kinds.map((k) => ({ key: k, label: t(`approvals.designer.add.${k}`) })),
          onClick: ({ key }) => editing.onInsert(chain, index, key as NewKind),
        }}
        trigger={['click']}
      >
        <Button shape="circle" size="small" icon={<PlusOutlined />} aria-label={t('approvals.designer.addNode')} data-testid="add-node" />
      </Dropdown>
    </div>
  );
}

/**
 * A flow drawn as DingTalk and Feishu users know it: a vertical chain of node cards; condition
 * and parallel blocks spread their branches side by side and join below. With `editing` it is
 * the designer: "+" between nodes, click a card to edit it.
 */
export function FlowOutline({ nodes, editing, chain = ROOT }: { nodes: FlowNode[]; editing?: Editing; chain?: string }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="approvals-chain">
      {nodes.map((n, i) => (
        <div key={n.id} className="approvals-chain-step">
          {i === 0 ? <AddButton chain={chain} index={0} editing={editing} /> : null}
          {n.type === 'condition' || n.type === 'parallel' ? (
            <div className={`approvals-block block-${n.type}`} data-testid={`block-${n.id}`}>
              <div className="approvals-block-head">
                <BranchesOutlined /> {t(`approvals.designer.add.${n.type}`)}
                {editing ? (
                  <>
                    <Button size="small" type="link" onClick={() => editing.onAddBranch(n.id)}>
                      {t('approvals.designer.addBranch')}
                    </Button>
                    <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => editing.onDelete(n.id)} aria-label={t('approvals.designer.delete')} />
                  </>
                ) : null}
              </div>
              <div className="approvals-branches">
                {n.branches.map((b, bi) => (
                  <div key={bi} className="approvals-branch">
                    <button
                      type="button"
                      className="approvals-branch-head"
                      onClick={() => editing?.onSelectBranch(n.id, bi)}
                      disabled={!editing}
                    >
                      <strong>{labelText(b.name, i18n.language)}</strong>
                      <small>
                        {n.type === 'condition'
                          ? b.when?.length
                            ? b.when.map((c) => `${c.left} ${t(`approvals.op.${c.op}`)} ${c.value === undefined ? '' : JSON.stringify(c.value)}`).join(' · ')
                            : t('approvals.designer.default')
                          : ''}
                      </small>
                    </button>
                    <FlowOutline nodes={b.nodes} editing={editing} chain={`${n.id}:${bi}`} />
                  </div>
                ))}
              </div>
            </div>
          ) : (
            <div
              className={`approvals-node-card type-${n.type} ${editing?.selected === n.id ? 'selected' : ''}`}
              onClick={() => editing?.onSelect(n.id)}
              role={editing ? 'button' : undefined}
              tabIndex={editing ? 0 : undefined}
              data-testid={`node-${n.id}`}
            >
              <div className="approvals-node-title">
                {labelText(n.name, i18n.language)}
                {n.type === 'approver' ? <Tag>{t(`approvals.mode.${n.mode ?? 'sequence'}`)}</Tag> : <Tag>{t(`approvals.flow.${n.type}`)}</Tag>}
              </div>
              <div className="approvals-node-who">{whoText(n.who, t)}</div>
              {editing ? (
                <Button
                  size="small"
                  type="text"
                  danger
                  icon={<DeleteOutlined />}
                  className="approvals-node-delete"
                  onClick={(e) => {
                    e.stopPropagation();
                    editing.onDelete(n.id);
                  }}
                  aria-label={t('approvals.designer.delete')}
                />
              ) : null}
            </div>
          )}
          <AddButton chain={chain} index={i + 1} editing={editing} />
        </div>
      ))}
      {nodes.length === 0 ? <AddButton chain={chain} index={0} editing={editing} /> : null}
    </div>
  );
}

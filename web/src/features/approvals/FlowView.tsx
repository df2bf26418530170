import { CheckCircleFilled, ClockCircleOutlined, MinusCircleOutlined, SendOutlined } from '@ant-design/icons';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RequestRead, RouteNode } from './api';
import { nodeStates, type NodeState } from './flowEdit';

const ICON: Record<NodeState, React.ReactNode> = {
  done: <CheckCircleFilled style={{ color: '#52c41a' }} />,
  current: <ClockCircleOutlined style={{ color: '#1677ff' }} />,
  skipped: <MinusCircleOutlined style={{ color: '#bfbfbf' }} />,
  future: <span className="approvals-dot" />,
};

/** The request's route drawn top to bottom, DingTalk style, with where it is now. */
export function FlowView({ request }: { request: RequestRead }) {
  const { t } = useTranslation();
  const states = nodeStates(request);
  const taskStatus = new Map(request.tasks.map((task) => [`${task.node_id}:${task.assignee.id}`, task.status]));
  const groups: { parallel: string | null; nodes: RouteNode[] }[] = [];
  for (const n of request.route) {
    const last = groups[groups.length - 1];
    if (last && n.parallel && last.parallel === n.parallel) last.nodes.push(n);
    else groups.push({ parallel: n.parallel ?? null, nodes: [n] });
  }
  return (
    <ol className="approvals-flow" data-testid="flow-view">
      <li className="approvals-flow-node state-done">
        <span className="approvals-flow-icon">
          <SendOutlined style={{ color: '#52c41a' }} />
        </span>
        <div>
          <div className="approvals-flow-name">{t('approvals.flow.submit')}</div>
          <div className="approvals-flow-people">{request.submitter.name}</div>
        </div>
      </li>
      {groups.map((g) =>
        g.nodes.map((n) => (
          <li key={n.id} className={`approvals-flow-node state-${states[n.id]}`} data-state={states[n.id]} data-node={n.id}>
            <span className="approvals-flow-icon">{ICON[states[n.id]]}</span>
            <div>
              <div className="approvals-flow-name">
                {n.name}
                {n.type === 'approver' && n.people.length > 1 ? (
                  <Tag style={{ marginInlineStart: 6 }}>{t(`approvals.mode.${n.mode}`)}</Tag>
                ) : null}
                {n.type === 'cc' ? <Tag style={{ marginInlineStart: 6 }}>{t('approvals.flow.cc')}</Tag> : null}
                {n.type === 'handler' ? <Tag style={{ marginInlineStart: 6 }}>{t('approvals.flow.handler')}</Tag> : null}
                {g.parallel ? <Tag color="purple" style={{ marginInlineStart: 6 }}>{t('approvals.flow.parallel')}</Tag> : null}
              </div>
              <div className="approvals-flow-people">
                {n.skipped
                  ? t('approvals.flow.skipped')
                  : n.people.map((p) => {
                      const s = taskStatus.get(`${n.id}:${p.id}`);
                      return (
                        <span key={p.id} className="approvals-person">
                          {p.name}
                          {s && s !== 'waiting' ? <small> · {t(`approvals.taskStatus.${s}`)}</small> : null}
                        </span>
                      );
                    })}
              </div>
            </div>
          </li>
        )),
      )}
    </ol>
  );
}

import { Image } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ActionRead } from './api';

function when(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** Every action on the request, in order: who, what, when, comment and signature. */
export function Timeline({ actions, names }: { actions: ActionRead[]; names: Record<number, string> }) {
  const { t, i18n } = useTranslation();
  return (
    <ol className="approvals-timeline" data-testid="timeline">
      {actions.map((a) => {
        const who = a.actor
          ? a.on_behalf_of
            ? t('approvals.onBehalf', { name: a.actor.name, other: a.on_behalf_of.name })
            : a.actor.name
          : t('approvals.system');
        const target = typeof a.data.to === 'number' ? names[a.data.to] : typeof a.data.person === 'number' ? names[a.data.person] : null;
        return (
          <li key={a.seq} className={`approvals-timeline-item kind-${a.kind}`} data-kind={a.kind}>
            <div className="approvals-timeline-head">
              <strong>{who}</strong>
              <span>
                {t(`approvals.kind.${a.kind}`)}
                {target ? ` → ${target}` : ''}
                {a.kind === 'add_signer' && typeof a.data.position === 'string' ? ` (${t(`approvals.position.${a.data.position}`)})` : ''}
              </span>
              <time>{when(a.created_at, i18n.language)}</time>
            </div>
            {a.node_name ? <div className="approvals-timeline-node">{a.node_name}</div> : null}
            {a.comment ? <div className="approvals-timeline-comment">{a.comment}</div> : null}
            {a.kind === 'resubmit' && a.data.diff && typeof a.data.diff === 'object' ? (
              <div className="approvals-timeline-comment">
                {t('approvals.changed')}: {Object.keys(a.data.diff as object).join(', ')}
              </div>
            ) : null}
            {a.signature_file_id ? (
              <Image
                className="approvals-signature"
                src={`/api/files/${a.signature_file_id}/content`}
                alt={t('approvals.signature.label')}
                width={160}
                preview={false}
                data-testid="timeline-signature"
              />
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

import { useParams } from 'react-router';
import { useMe } from '../auth/useMe';
import { DocList } from './DocList';
import { DocPage } from './DocPage';
import './docs.css';

/** 文档: the lists (mine, shared with me, recent, starred) or one open document. */
export default function DocsPage() {
  const params = useParams();
  const me = useMe();
  const id = Number(params.docId);
  if (!me.data) return null;
  const myself = { id: me.data.id, name: me.data.name };
  if (params.docId && Number.isInteger(id) && id > 0) return <DocPage key={id} id={id} me={myself} />;
  return <DocList />;
}

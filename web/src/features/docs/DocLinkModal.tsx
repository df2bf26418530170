import type { Editor } from '@tiptap/core';
import { useQuery } from '@tanstack/react-query';
import { Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDebouncedValue } from '../org/useDebouncedValue';
import { docsApi } from './api';

/**
 * Insert a link to another document: search the documents the user may read (the server's
 * /api/docs/search is scoped to the caller), then link the selected text, or insert the title.
 */
export function DocLinkModal({ open, onClose, editor, exclude }: { open: boolean; onClose: () => void; editor: Editor; exclude: number }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim(), 250);
  const found = useQuery({
    queryKey: ['docs', 'link-search', q],
    queryFn: () => (q ? docsApi.search(q).then((hits) => hits.map((h) => h.document)) : docsApi.list('recent')),
    enabled: open,
  });
  const docs = (found.data ?? []).filter((d) => d.id !== exclude);
  const insert = (id: number) => {
    const target = docs.find((d) => d.id === id);
    if (!target) return;
    const href = `/docs/${id}`;
    const title = target.title || t('docs.untitled');
    const chain = editor.chain().focus();
    if (editor.state.selection.empty) {
      chain
        .insertContent([
          { type: 'text', text: title, marks: [{ type: 'link', attrs: { href } }] },
          { type: 'text', text: ' ' },
        ])
        .run();
    } else {
      chain.extendMarkRange('link').setLink({ href }).run();
    }
    setSearch('');
    onClose();
  };
  return (
    <Modal open={open} title={t('docs.tool.docLink')} onCancel={onClose} footer={null} destroyOnHidden>
      <Select
        autoFocus
        open
        showSearch={{ filterOption: false, onSearch: setSearch }}
        placeholder={t('docs.docLink.search')}
        loading={found.isFetching}
        notFoundContent={found.isFetching ? null : t('docs.docLink.none')}
        options={docs.map((d) => ({ value: d.id, label: d.title || t('docs.untitled') }))}
        onChange={insert}
        style={{ width: '100%' }}
        data-testid="doc-link-search"
        getPopupContainer={(node: HTMLElement) => node.parentElement ?? document.body}
      />
      <div style={{ height: 240 }} />
    </Modal>
  );
}

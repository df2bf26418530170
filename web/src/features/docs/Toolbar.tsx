import {
  BoldOutlined,
  CheckSquareOutlined,
  CodeOutlined,
  FileTextOutlined,
  PictureOutlined,
  ItalicOutlined,
  LinkOutlined,
  MinusOutlined,
  OrderedListOutlined,
  RedoOutlined,
  StrikethroughOutlined,
  TableOutlined,
  UnderlineOutlined,
  UndoOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import type { Editor } from '@tiptap/core';
import { useEditorState } from '@tiptap/react';
import { Button, Input, Modal, Tooltip } from 'antd';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useUploadFeedback } from './uploadFeedback';
import { DocLinkModal } from './DocLinkModal';
import { IMAGE_TYPES, imageFiles, insertImages } from './images';

interface Tool {
  key: string;
  icon: ReactNode;
  active?: boolean;
  run: () => void;
}

/** The formatting bar; Markdown shortcuts (# , - , [] , > , ```) work without it. */
export function Toolbar({ editor, docId }: { editor: Editor; docId: number }) {
  const { t } = useTranslation();
  const feedback = useUploadFeedback();
  const [fileInput, setFileInput] = useState<HTMLInputElement | null>(null);
  const [docLinkOpen, setDocLinkOpen] = useState(false);
  const [linkOpen, setLinkOpen] = useState(false);
  const [href, setHref] = useState('');
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      underline: e.isActive('underline'),
      strike: e.isActive('strike'),
      code: e.isActive('code'),
      h1: e.isActive('heading', { level: 1 }),
      h2: e.isActive('heading', { level: 2 }),
      h3: e.isActive('heading', { level: 3 }),
      bullet: e.isActive('bulletList'),
      ordered: e.isActive('orderedList'),
      task: e.isActive('taskList'),
      quote: e.isActive('blockquote'),
      codeBlock: e.isActive('codeBlock'),
    }),
  });
  const chain = () => editor.chain().focus();
  const text = (label: string) => <span className="docs-tool-text">{label}</span>;
  const tools: Tool[] = [
    { key: 'undo', icon: <UndoOutlined />, run: () => chain().undo().run() },
    { key: 'redo', icon: <RedoOutlined />, run: () => chain().redo().run() },
    { key: 'h1', icon: text('H1'), active: active.h1, run: () => chain().toggleHeading({ level: 1 }).run() },
    { key: 'h2', icon: text('H2'), active: active.h2, run: () => chain().toggleHeading({ level: 2 }).run() },
    { key: 'h3', icon: text('H3'), active: active.h3, run: () => chain().toggleHeading({ level: 3 }).run() },
    { key: 'bold', icon: <BoldOutlined />, active: active.bold, run: () => chain().toggleBold().run() },
    { key: 'italic', icon: <ItalicOutlined />, active: active.italic, run: () => chain().toggleItalic().run() },
    { key: 'underline', icon: <UnderlineOutlined />, active: active.underline, run: () => chain().toggleUnderline().run() },
    { key: 'strike', icon: <StrikethroughOutlined />, active: active.strike, run: () => chain().toggleStrike().run() },
    { key: 'code', icon: <CodeOutlined />, active: active.code, run: () => chain().toggleCode().run() },
    { key: 'bullet', icon: <UnorderedListOutlined />, active: active.bullet, run: () => chain().toggleBulletList().run() },
    { key: 'ordered', icon: <OrderedListOutlined />, active: active.ordered, run: () => chain().toggleOrderedList().run() },
    { key: 'task', icon: <CheckSquareOutlined />, active: active.task, run: () => chain().toggleTaskList().run() },
    { key: 'quote', icon: text('❝'), active: active.quote, run: () => chain().toggleBlockquote().run() },
    { key: 'codeBlock', icon: text('{ }'), active: active.codeBlock, run: () => chain().toggleCodeBlock().run() },
    { key: 'hr', icon: <MinusOutlined />, run: () => chain().setHorizontalRule().run() },
    {
      key: 'table',
      icon: <TableOutlined />,
      run: () => chain().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(),
    },
    {
      key: 'link',
      icon: <LinkOutlined />,
      run: () => {
        setHref((editor.getAttributes('link').href as string | undefined) ?? 'https://');
        setLinkOpen(true);
      },
    },
    { key: 'docLink', icon: <FileTextOutlined />, run: () => setDocLinkOpen(true) },
    { key: 'image', icon: <PictureOutlined />, run: () => fileInput?.click() },
  ];
  return (
    <div className="docs-toolbar" role="toolbar" data-testid="docs-toolbar">
      <input
        ref={setFileInput}
        type="file"
        accept={IMAGE_TYPES.join(',')}
        multiple
        hidden
        data-testid="docs-image-input"
        onChange={(e) => {
          const files = imageFiles(e.target.files);
          e.target.value = '';
          void insertImages(editor, docId, files, feedback);
        }}
      />
      <DocLinkModal open={docLinkOpen} onClose={() => setDocLinkOpen(false)} editor={editor} exclude={docId} />
      {tools.map((tool) => (
        <Tooltip key={tool.key} title={t(`docs.tool.${tool.key}`)} mouseEnterDelay={0.6}>
          <Button
            type={tool.active ? 'primary' : 'text'}
            ghost={tool.active}
            size="small"
            icon={tool.icon}
            aria-label={t(`docs.tool.${tool.key}`)}
            aria-pressed={tool.active ?? undefined}
            data-testid={`docs-tool-${tool.key}`}
            onMouseDown={(e) => e.preventDefault()}
            onClick={tool.run}
          />
        </Tooltip>
      ))}
      <Modal
        open={linkOpen}
        title={t('docs.tool.link')}
        onCancel={() => setLinkOpen(false)}
        onOk={() => {
          const value = href.trim();
          if (!value || value === 'https://') chain().unsetLink().run();
          else if (/^(https?:|mailto:|\/)/i.test(value)) chain().extendMarkRange('link').setLink({ href: value }).run();
          setLinkOpen(false);
        }}
        destroyOnHidden
      >
        <Input autoFocus value={href} placeholder={t('docs.tool.linkPrompt')} onChange={(e) => setHref(e.target.value)} />
      </Modal>
    </div>
  );
}

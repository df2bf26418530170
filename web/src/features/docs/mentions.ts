import { Mention } from '@tiptap/extension-mention';
import type { SuggestionKeyDownProps, SuggestionProps } from '@tiptap/suggestion';
import { orgApi } from '../org/api';

export interface MentionItem {
  id: string;
  label: string;
  detail: string;
}

/** People for the @ menu, from the organisation's directory search (name, pinyin, initials). */
async function people(query: string): Promise<MentionItem[]> {
  const page = await orgApi.people({ q: query || undefined, limit: 8 });
  return page.items.map((p) => ({ id: String(p.id), label: p.name, detail: p.title ?? '' }));
}

/**
 * The @ menu: a plain DOM list placed under the caret. Kept outside React on purpose: the
 * suggestion plugin drives it from ProseMirror's view, keystroke by keystroke.
 */
function menu(emptyText: () => string) {
  let root: HTMLDivElement | null = null;
  let props: SuggestionProps<MentionItem, { id: string; label: string }> | null = null;
  let selected = 0;

  const draw = () => {
    if (!root || !props) return;
    root.replaceChildren();
    if (props.items.length === 0) {
      const empty = document.createElement('div');
      empty.className = 'docs-mention-empty';
      empty.textContent = emptyText();
      root.append(empty);
    }
    props.items.forEach((item, index) => {
      const row = document.createElement('button');
      row.type = 'button';
      row.className = `docs-mention-item${index === selected ? ' is-selected' : ''}`;
      row.dataset.testid = 'mention-option';
      row.textContent = item.label;
      if (item.detail) {
        const detail = document.createElement('span');
        detail.className = 'docs-mention-detail';
        detail.textContent = item.detail;
        row.append(detail);
      }
      row.onmousedown = (e) => e.preventDefault();
      row.onclick = () => pick(index);
      root?.append(row);
    });
    const rect = props.clientRect?.();
    if (rect) {
      const left = Math.max(8, Math.min(rect.left, window.innerWidth - 228));
      root.style.left = `${left + window.scrollX}px`;
      root.style.top = `${rect.bottom + window.scrollY + 4}px`;
    }
  };
  const pick = (index: number) => {
    const item = props?.items[index];
    if (item && props) props.command({ id: item.id, label: item.label });
  };
  return {
    onStart: (p: SuggestionProps<MentionItem, { id: string; label: string }>) => {
      props = p;
      selected = 0;
      root = document.createElement('div');
      root.className = 'docs-mention-menu';
      root.dataset.testid = 'mention-menu';
      root.setAttribute('role', 'listbox');
      document.body.append(root);
      draw();
    },
    onUpdate: (p: SuggestionProps<MentionItem, { id: string; label: string }>) => {
      props = p;
      selected = Math.min(selected, Math.max(0, p.items.length - 1));
      draw();
    },
    onKeyDown: ({ event }: SuggestionKeyDownProps) => {
      const count = props?.items.length ?? 0;
      if (event.key === 'ArrowDown' && count) selected = (selected + 1) % count;
      else if (event.key === 'ArrowUp' && count) selected = (selected + count - 1) % count;
      else if (event.key === 'Enter' || event.key === 'Tab') {
        if (!count) return false;
        pick(selected);
        return true;
      } else if (event.key === 'Escape') {
        root?.remove();
        root = null;
        return true;
      } else return false;
      draw();
      return true;
    },
    onExit: () => {
      root?.remove();
      root = null;
      props = null;
    },
  };
}

/**
 * @person mentions. The node is stored in the Yjs document as <mention id label>; the server
 * reads new ones after each burst of typing and notifies the person once (docs/refresh.py).
 */
export function mentionExtension(emptyText: () => string) {
  return Mention.configure({
    HTMLAttributes: { class: 'docs-mention' },
    suggestion: {
      char: '@',
      items: ({ query }) => people(query).catch(() => []),
      render: () => menu(emptyText),
    },
  });
}

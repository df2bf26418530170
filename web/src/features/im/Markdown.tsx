import { Fragment, type ReactNode } from 'react';
import { parseBlocks, parseInline, type Inline } from './markdownParse';

/** Renders message text as React elements — never as HTML (see markdownParse.ts). */
function renderInline(nodes: Inline[], keyPrefix = ''): ReactNode[] {
  return nodes.map((node, index) => {
    const key = `${keyPrefix}${index}`;
    switch (node.t) {
      case 'text':
        return <Fragment key={key}>{node.text}</Fragment>;
      case 'strong':
        return <strong key={key}>{renderInline(node.children, `${key}.`)}</strong>;
      case 'em':
        return <em key={key}>{renderInline(node.children, `${key}.`)}</em>;
      case 'code':
        return <code key={key}>{node.text}</code>;
      case 'link':
        return (
          <a key={key} href={node.href} target="_blank" rel="noopener noreferrer">
            {renderInline(node.children, `${key}.`)}
          </a>
        );
      case 'mention':
        return (
          <span key={key} className="im-mention">
            {node.text}
          </span>
        );
      default:
        return null;
    }
  });
}

function renderLines(lines: string[], names: readonly string[], key: string): ReactNode[] {
  return lines.flatMap((line, index) => {
    const parts = renderInline(parseInline(line, names), `${key}.${index}.`);
    return index === 0 ? parts : [<br key={`${key}.br${index}`} />, ...parts];
  });
}

export function Markdown({ text, mentionNames = [] }: { text: string; mentionNames?: readonly string[] }) {
  const blocks = parseBlocks(text);
  return (
    <div className="im-md">
      {blocks.map((block, index) => {
        const key = String(index);
        if (block.t === 'p') return <p key={key}>{renderLines(block.lines, mentionNames, key)}</p>;
        const items = block.items.map((item, j) => (
          <li key={j}>{renderInline(parseInline(item, mentionNames), `${key}.${j}.`)}</li>
        ));
        return block.t === 'ul' ? (
          <ul key={key}>{items}</ul>
        ) : (
          <ol key={key} start={block.start}>
            {items}
          </ol>
        );
      })}
    </div>
  );
}


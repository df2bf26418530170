import { Fragment } from 'react';
import { mentionLabel } from './markdownParse';
import { readableMentions, splitSnippet } from './splitSnippet';

/** The snippet as text with <mark> around the matches; never parsed as HTML. */
export function Snippet({ text }: { text: string }) {
  return (
    <>
      {splitSnippet(readableMentions(text, (token) => mentionLabel(token))).map((part, index) =>
        part.match ? <mark key={index}>{part.text}</mark> : <Fragment key={index}>{part.text}</Fragment>,
      )}
    </>
  );
}

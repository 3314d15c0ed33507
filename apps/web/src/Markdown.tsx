/**
 * A message's Markdown, as React elements: raw HTML is dropped (never parsed into the page), links
 * keep only http, https and mailto addresses and open in a new tab without access to this one,
 * images show as links (no request to another host because a message named it). Loaded lazily,
 * with the first conversation opened, to keep the entry bundle small.
 */
import type { ComponentProps } from 'react';
import ReactMarkdown from 'react-markdown';

const SAFE_URL = /^(?:https?:|mailto:)/i;

export function safeUrl(url: string): string | null {
  return SAFE_URL.test(url.trim()) ? url.trim() : null;
}

function Link({ href, children }: ComponentProps<'a'>) {
  if (!href) return <span>{children}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

function Image({ src, alt }: ComponentProps<'img'>) {
  const text = alt || 'image';
  return typeof src === 'string' && src ? <Link href={src}>{text}</Link> : <span>{text}</span>;
}

export default function Markdown({ text }: { text: string }) {
  return (
    <ReactMarkdown skipHtml urlTransform={safeUrl} components={{ a: Link, img: Image }}>
      {text}
    </ReactMarkdown>
  );
}

import { useState } from 'react';

/** Copies a value to the clipboard and says so (politely, for screen readers). */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(value).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <button type="button" className="secondary" onClick={copy} aria-label={label}>
      {copied ? 'Copied' : 'Copy'}
      <span className="visually-hidden" aria-live="polite">
        {copied ? ` ${label}: copied` : ''}
      </span>
    </button>
  );
}

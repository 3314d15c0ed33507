/**
 * Your data: every conversation as one NDJSON download, and an import of a Parley export or of
 * ChatGPT's `conversations.json`, sent to the server's import as it is (streamed there, never
 * parsed here), with its report: what was imported, what was skipped and why, or where the file
 * broke. Imported conversations reach the list through the live updates, like any other.
 */
import { useState, type FormEvent } from 'react';
import { conversationPath, followLink } from './router.ts';

interface ImportReport {
  format: 'parley' | 'chatgpt';
  imported: number;
  conversations: { id: string; title: string; messages: number }[];
  skippedCount: number;
  skipped: { index: number; sourceId?: string; reason: string }[];
  messagesSkipped: number;
}

interface ImportFailure {
  message: string;
  at?: { line: number; column: number };
}

type ImportState =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'done'; report: ImportReport }
  | { state: 'failed'; failure: ImportFailure };

const FORMATS = [
  ['', 'Detect it'],
  ['parley', 'A Parley export'],
  ['chatgpt', 'ChatGPT’s conversations.json'],
] as const;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

async function sendImport(file: File, format: string): Promise<ImportState> {
  const type = /\.(ndjson|jsonl)$/i.test(file.name) ? 'application/x-ndjson' : 'application/json';
  try {
    const response = await fetch(`/api/import${format ? `?format=${format}` : ''}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: file,
    });
    const body = (await response.json().catch(() => null)) as ImportReport | ImportFailure | null;
    if (response.ok && body && 'imported' in body) return { state: 'done', report: body };
    const failure =
      body && 'message' in body ? body : { message: `The server answered ${response.status}.` };
    return { state: 'failed', failure };
  } catch {
    return { state: 'failed', failure: { message: 'Parley could not be reached.' } };
  }
}

function Report({ report }: { report: ImportReport }) {
  return (
    <div className="import-report" role="status">
      <p>
        Imported {plural(report.imported, 'conversation')}; skipped{' '}
        {plural(report.skippedCount, 'conversation')}
        {report.messagesSkipped > 0 ? ` and ${plural(report.messagesSkipped, 'message')}` : ''}.
      </p>
      {report.conversations.length > 0 && (
        <ul aria-label="Imported">
          {report.conversations.map((c) => (
            <li key={c.id}>
              <a href={conversationPath(c.id)} onClick={followLink}>
                {c.title}
              </a>{' '}
              ({plural(c.messages, 'message')})
            </li>
          ))}
        </ul>
      )}
      {report.skipped.length > 0 && (
        <ul aria-label="Skipped">
          {report.skipped.map((s) => (
            <li key={s.index}>
              Item {s.index + 1}
              {s.sourceId ? ` (${s.sourceId})` : ''}: {s.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function DataPage() {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState('');
  const [result, setResult] = useState<ImportState>({ state: 'idle' });

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setResult({ state: 'sending' });
    setResult(await sendImport(file, format));
  };

  return (
    <div className="pane-body data-page">
      <h1 tabIndex={-1}>Import and export</h1>
      <section aria-labelledby="export-heading">
        <h2 id="export-heading">Export</h2>
        <p>
          Every conversation, with its messages and metadata, one JSON document per line (NDJSON). A
          single conversation downloads from its own page.
        </p>
        <a className="button" href="/api/export/conversations.ndjson" download>
          Export all conversations
        </a>
      </section>
      <section aria-labelledby="import-heading">
        <h2 id="import-heading">Import</h2>
        <p>
          A Parley export, or ChatGPT’s <code>conversations.json</code> (from its data export). A
          conversation imported before is skipped, so the same file can be sent twice.
        </p>
        <form onSubmit={(e) => void onSubmit(e)}>
          <label>
            File{' '}
            <input
              type="file"
              accept=".json,.ndjson,.jsonl,application/json"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </label>
          <label>
            Format{' '}
            <select value={format} onChange={(e) => setFormat(e.target.value)}>
              {FORMATS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={!file || result.state === 'sending'}>
            {result.state === 'sending' ? 'Importing…' : 'Import'}
          </button>
        </form>
        {result.state === 'done' && <Report report={result.report} />}
        {result.state === 'failed' && (
          <p className="state" role="alert">
            Could not import this file: {result.failure.message}
            {result.failure.at
              ? ` (line ${result.failure.at.line}, column ${result.failure.at.column})`
              : ''}
          </p>
        )}
      </section>
    </div>
  );
}

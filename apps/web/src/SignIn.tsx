/** The sign-in screen: paste an API key, or try the demo when the server offers it. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { SESSION_KEY, signIn, SignInError, type SessionState } from './session.ts';

export function SignIn({ demo, notice }: { demo: boolean; notice?: string | undefined }) {
  const queryClient = useQueryClient();
  const [apiKey, setApiKey] = useState('');
  // A message about the key typed before goes as soon as the key changes.
  const [edited, setEdited] = useState(false);
  const [refusedKey, setRefusedKey] = useState<string | null>(null);
  const ids = { key: useId(), help: useId(), error: useId() };
  const mutation = useMutation({
    mutationFn: signIn,
    onSuccess: (session: SessionState) => {
      queryClient.setQueryData(SESSION_KEY, session);
    },
    onError: (_error, variables) => setRefusedKey('apiKey' in variables ? variables.apiKey : null),
  });
  const stale = refusedKey !== null && refusedKey !== apiKey.trim();
  const error = stale
    ? undefined
    : mutation.error instanceof SignInError
      ? mutation.error.message
      : mutation.error
        ? 'Signing in failed. Try again.'
        : edited
          ? undefined
          : notice;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (apiKey.trim()) mutation.mutate({ apiKey: apiKey.trim() });
  };

  return (
    <main className="signin">
      <h1>Sign in to Parley</h1>
      <form onSubmit={submit}>
        <label htmlFor={ids.key}>API key</label>
        <input
          id={ids.key}
          type="password"
          value={apiKey}
          onChange={(e) => {
            setApiKey(e.target.value);
            setEdited(true);
          }}
          placeholder="pk_…"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          required
          aria-invalid={mutation.isError && !stale}
          aria-describedby={`${ids.help} ${ids.error}`}
        />
        <p id={ids.help} className="hint">
          An operator creates one with <code>pnpm parley keys create --org acme --user you</code>.
          It is sent once; the browser keeps only a session cookie.
        </p>
        <button type="submit" disabled={mutation.isPending}>
          {mutation.isPending && !(mutation.variables && 'demo' in mutation.variables)
            ? 'Signing in…'
            : 'Sign in'}
        </button>
        <p id={ids.error} className="field-message" role="alert">
          {error ?? ''}
        </p>
      </form>
      {demo && (
        <section className="demo" aria-labelledby="demo-heading">
          <h2 id="demo-heading">No key?</h2>
          <p>
            The demo gives you a private account of your own with two sample conversations. Parley
            stores conversations (it does not answer them): the demo shows how.
          </p>
          <button
            type="button"
            onClick={() => mutation.mutate({ demo: true })}
            disabled={mutation.isPending}
          >
            Try the demo
          </button>
        </section>
      )}
    </main>
  );
}

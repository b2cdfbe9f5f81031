import { useState, type FormEvent } from 'react';
import { supportApi } from '../api.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { safeNext } from '../format.js';

export function LoginPage() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await supportApi.login(token);
      location.assign(safeNext(new URLSearchParams(location.search).get('next')));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <main id="main" className="login">
      <h1>Support console</h1>
      <p>
        Log in with a support token (one of <code>SUPPORT_TOKENS</code>; sandbox mode prints one at start).
      </p>
      <form onSubmit={submit}>
        <label htmlFor="token">Support token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby={error ? 'login-error' : undefined}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <div id="login-error">
          <ErrorNotice error={error} />
        </div>
      </form>
    </main>
  );
}

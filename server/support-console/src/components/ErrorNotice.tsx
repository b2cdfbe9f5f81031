/** An error the user can read, announced to screen readers. */
export function ErrorNotice({ error }: { error: Error | string | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {typeof error === 'string' ? error : error.message}
    </p>
  );
}

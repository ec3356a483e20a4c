/** Small React hooks of the app: a fetch tied to its inputs, cancelled when they change. */
import { useEffect, useState } from 'react';

/** Loading state of a fetched value. */
export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
}

/**
 * Runs `fetcher` whenever `key` changes (null: nothing to fetch), aborting the previous call.
 * @example const run = useFetch(input ? `${model}/${input}` : null, (s) => api.run(model, input, s))
 */
export function useFetch<T>(key: string | null, fetcher: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [state, setState] = useState<Loaded<T> & { key: string | null }>({ loading: false, key: null });
  useEffect(() => {
    if (key === null) { setState({ loading: false, key }); return; }
    const ctl = new AbortController();
    setState((s) => ({ data: s.key === key ? s.data : s.data, loading: true, key }));
    fetcher(ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ data, loading: false, key }); },
      (e: Error) => { if (!ctl.signal.aborted) setState({ error: e.message, loading: false, key }); },
    );
    return () => ctl.abort();
    // The fetcher closes over the values `key` encodes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state;
}

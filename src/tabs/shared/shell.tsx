/**
 * What every tab page shares: connect to Teams, sign in, follow the Teams theme (light, dark, high
 * contrast), and show a clear message instead of a blank page when any of that fails.
 */
import { FluentProvider, MessageBar, MessageBarBody, MessageBarTitle, Spinner, teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme, type Theme } from '@fluentui/react-components';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi, type Api } from './api.js';
import { connectToTeams, type TeamsSession, type TeamsTheme } from './teams.js';

const THEMES: Record<TeamsTheme, Theme> = { default: teamsLightTheme, dark: teamsDarkTheme, contrast: teamsHighContrastTheme };

export interface TabSession {
  teams: TeamsSession;
  api: Api;
  theme: TeamsTheme;
}

const SessionContext = createContext<TabSession | undefined>(undefined);

/** The signed-in session, inside a page rendered by `mountTab`. */
export function useSession(): TabSession {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside mountTab');
  return s;
}

function Shell({ title, children }: { title: string; children: ReactNode }) {
  const [session, setSession] = useState<TabSession>();
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    let live = true;
    connectToTeams()
      .then((teams) => {
        if (!live) return;
        setSession({ teams, api: createApi(teams.token), theme: teams.theme });
        teams.onThemeChange((theme) => setSession((s) => (s ? { ...s, theme } : s)));
      })
      .catch((err: unknown) => live && setFailure(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, []);
  const theme = THEMES[session?.theme ?? 'default'];
  useEffect(() => {
    document.title = title;
    document.body.style.margin = '0';
    document.body.style.background = theme.colorNeutralBackground2;
  }, [theme, title]);
  return (
    <FluentProvider theme={theme} style={{ minHeight: '100vh', background: theme.colorNeutralBackground2 }}>
      <main style={{ padding: '16px 20px', maxWidth: 1200, margin: '0 auto' }}>
        {failure ? (
          <MessageBar intent="error">
            <MessageBarBody>
              <MessageBarTitle>{title} cannot open</MessageBarTitle>
              {failure}
            </MessageBarBody>
          </MessageBar>
        ) : session ? (
          <SessionContext.Provider value={session}>{children}</SessionContext.Provider>
        ) : (
          <Spinner label="Signing in…" />
        )}
      </main>
    </FluentProvider>
  );
}

/** Renders a tab page into `#root` once Teams has answered and the user is signed in. */
export function mountTab(title: string, page: ReactNode): void {
  const root = document.getElementById('root');
  if (!root) throw new Error('#root missing');
  createRoot(root).render(<Shell title={title}>{page}</Shell>);
}

/** Loads data for a page: `{ data, error, loading, reload }`, with errors as the server worded them. */
export function useLoad<T>(load: (api: Api) => Promise<T>, deps: readonly unknown[] = []): { data: T | undefined; error: string | undefined; loading: boolean; reload: () => void } {
  const { api } = useSession();
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load(api).then(
      (data) => live && setState({ data, loading: false }),
      (err: unknown) => live && setState((s) => ({ ...s, error: err instanceof Error ? err.message : String(err), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [api, n, ...deps]);
  return { data: state.data, error: state.error, loading: state.loading, reload: () => setN((x) => x + 1) };
}

/**
 * The tab's side of Teams: initialise teams-js, read the context (who, theme, locale) and get the
 * SSO token for the API. The same code runs in Teams and in the local host page (`/dev/host`), which
 * answers the same protocol with tokens from the local development identity provider.
 */
import { app, authentication } from '@microsoft/teams-js';

export type TeamsTheme = 'default' | 'dark' | 'contrast';

export interface TeamsSession {
  userObjectId: string;
  tenantId: string;
  locale: string;
  theme: TeamsTheme;
  /** A fresh SSO token (teams-js caches it until shortly before it expires). */
  token(): Promise<string>;
  onThemeChange(handler: (theme: TeamsTheme) => void): void;
}

export class NotInTeams extends Error {}

const asTheme = (t: string | undefined): TeamsTheme => (t === 'dark' || t === 'contrast' ? t : 'default');

export async function connectToTeams(timeoutMs = 10_000): Promise<TeamsSession> {
  if (window.parent === window) throw new NotInTeams('This page is a Teams tab: open it in Teams, or in the local host page (/dev/host) when running the demo.');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NotInTeams('Teams did not answer. Reload the tab; if it keeps happening, open it from the Teams app.')), timeoutMs);
  });
  try {
    await Promise.race([app.initialize(), timeout]);
    const context = await Promise.race([app.getContext(), timeout]);
    app.notifySuccess();
    return {
      userObjectId: context.user?.id ?? '',
      tenantId: context.user?.tenant?.id ?? '',
      locale: context.app.locale || 'en-US',
      theme: asTheme(context.app.theme),
      token: () => authentication.getAuthToken(),
      onThemeChange: (handler) => app.registerOnThemeChangeHandler((t) => handler(asTheme(t))),
    };
  } finally {
    clearTimeout(timer);
  }
}

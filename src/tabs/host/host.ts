/**
 * The local Teams-like host page (`/dev/host`, development only): frames a tab and answers the
 * teams-js host protocol the way Teams does (initialize, getContext, authentication.getAuthToken,
 * theme changes), with SSO tokens from the local development identity provider. It lets a newcomer
 * open each tab as each demo person without Azure.
 */

interface Person {
  aadObjectId: string;
  name: string;
  role: string;
  tabs: string[];
}

type Theme = 'default' | 'dark' | 'contrast';
const TABS: Record<string, string> = { rewards: 'Rewards', console: 'Console' };
const THEMES: Record<Theme, string> = { default: 'Light', dark: 'Dark', contrast: 'High contrast' };
const TENANT = '00000000-0000-0000-0000-0000000000001';

interface Request {
  id: number;
  uuidAsString?: string;
  func: string;
  args?: unknown[];
}

function select(label: string, options: Array<[string, string]>, value: string, onChange: (v: string) => void): HTMLLabelElement {
  const l = document.createElement('label');
  l.textContent = `${label} `;
  const s = document.createElement('select');
  for (const [v, text] of options) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = text;
    s.append(o);
  }
  s.value = value;
  s.addEventListener('change', () => onChange(s.value));
  l.append(s);
  return l;
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const people = (await (await fetch('/dev/people')).json()) as Person[];
  const person = people.find((p) => p.aadObjectId === params.get('as')) ?? people[0]!;
  const tab = params.get('tab') && person.tabs.includes(params.get('tab')!) ? params.get('tab')! : person.tabs[0]!;
  let theme: Theme = (['default', 'dark', 'contrast'] as const).find((t) => t === params.get('theme')) ?? 'default';
  const go = (change: Record<string, string>) => {
    const next = new URLSearchParams({ as: person.aadObjectId, tab, theme, ...change });
    location.search = next.toString();
  };

  document.title = `${TABS[tab]} as ${person.name} (local Teams host)`;
  const header = document.createElement('header');
  const h1 = document.createElement('h1');
  h1.textContent = 'Local Teams host';
  const note = document.createElement('p');
  note.textContent = `You are ${person.name}: ${person.role}.`;
  header.append(
    h1,
    select('Person', people.map((p) => [p.aadObjectId, p.name]), person.aadObjectId, (v) => go({ as: v, tab: people.find((p) => p.aadObjectId === v)!.tabs[0]! })),
    select('Tab', person.tabs.map((t) => [t, TABS[t] ?? t]), tab, (v) => go({ tab: v })),
    select('Theme', Object.entries(THEMES), theme, (v) => {
      theme = v as Theme;
      history.replaceState(null, '', `?${new URLSearchParams({ as: person.aadObjectId, tab, theme })}`);
      frame.contentWindow?.postMessage({ func: 'themeChange', args: [theme] }, location.origin);
    }),
    note,
  );
  const frame = document.createElement('iframe');
  frame.title = `${TABS[tab]} tab`;
  frame.src = `/tabs/${tab}`;
  document.body.append(header, frame);

  const context = () => ({
    locale: navigator.language || 'en-US',
    theme,
    entityId: tab,
    userObjectId: person.aadObjectId,
    tid: TENANT,
    loginHint: person.name,
    userPrincipalName: person.name,
    frameContext: 'content',
    hostClientType: 'web',
    hostName: 'Teams',
    appSessionId: crypto.randomUUID(),
  });

  const answer = async (req: Request): Promise<unknown[] | undefined> => {
    switch (req.func) {
      case 'initialize':
        return ['content', 'web', JSON.stringify({ apiVersion: 4, hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } }, supports: { appEntity: {}, teams: { fullTrust: {} } } }), '2.58.0'];
      case 'getContext':
        return [context()];
      case 'authentication.getAuthToken': {
        const res = await fetch('/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aadObjectId: person.aadObjectId, tenantId: TENANT }) });
        const body = (await res.json()) as { token?: string; error?: string };
        return body.token ? [true, body.token] : [false, body.error ?? 'no token'];
      }
      default:
        // One-way notices (appInitialization.*, registerHandler) need no answer.
        return undefined;
    }
  };

  window.addEventListener('message', (evt: MessageEvent) => {
    if (evt.source !== frame.contentWindow || evt.origin !== location.origin) return;
    const req = evt.data as Request;
    if (!req || typeof req !== 'object' || typeof req.func !== 'string' || typeof req.id !== 'number') return;
    void answer(req).then((args) => {
      if (args) frame.contentWindow?.postMessage({ id: req.id, uuidAsString: req.uuidAsString, args }, location.origin);
    });
  });
}

void main();

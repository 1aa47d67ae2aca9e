/**
 * Every setting, validated once at start-up ("fail fast"). Nothing else reads process.env.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';

const onOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'], { message: 'expected on or off' })
  .transform((v) => ['on', 'true', '1', 'yes'].includes(v));

/** 0 asks the OS for a free port (tests). */
const port = z.coerce.number({ message: 'expected a port number' }).int().min(0, 'expected a port number').max(65535, 'expected a port number');

/**
 * Which demo people get an Agents Playground of their own: the mock users' numbers (20 to 25, the end
 * of their aadObjectId), comma-separated, in port order.
 */
const playgroundUsers = z.string().transform((text, ctx) => {
  const list = text.split(',').map((s) => s.trim());
  const expected = 'expected mock user numbers 20 to 25, comma-separated, such as 20,21,22,24,25 (see README)';
  const bad = list.filter((s) => !/^2[0-5]$/.test(s));
  if (bad.length) {
    ctx.addIssue({ code: 'custom', message: `${expected}; not a mock user: ${bad.map((s) => JSON.stringify(s.slice(0, 20))).join(', ')}` });
    return z.NEVER;
  }
  const twice = list.filter((s, i) => list.indexOf(s) !== i);
  if (twice.length) {
    ctx.addIssue({ code: 'custom', message: `each mock user at most once (one Playground per person); repeated: ${[...new Set(twice)].join(', ')}` });
    return z.NEVER;
  }
  return list;
});

/** Raw environment → typed settings. Empty strings count as unset. */
export const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'expected development, production or test' }).default('development'),
    PORT: port.default(3978),
    /** Unset: every interface with authentication on, loopback only with it off (fail closed). */
    HOST: z.string().min(1).optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    /** Set: the PostgreSQL store (several instances may share it); unset: the embedded store in DATA_DIR. */
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, message: 'expected a PostgreSQL URL such as postgres://user:password@host:5432/rewards (leave it unset for the embedded store in DATA_DIR)' })
      .optional(),
    PROGRAM_EDITION: z.string().regex(/^[a-z0-9_-]+$/, 'expected an edition name such as 2020 or fy24').default('2020'),
    DEMO_DATA: onOff.optional(),
    MicrosoftAppId: z.string().default(''),
    MicrosoftAppPassword: z.string().default(''),
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { message: 'expected MultiTenant, SingleTenant or UserAssignedMSI' }).default('MultiTenant'),
    MicrosoftAppTenantId: z.string().default(''),
    PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'expected the bot’s public base URL, such as https://rewards.example.com' }).optional(),
    PLAYGROUND: onOff.optional(),
    PLAYGROUND_PORT: port.default(56150),
    PLAYGROUND_USERS: playgroundUsers.default(['20', '21', '22', '24', '25']),
    /** Replaced by PLAYGROUND_USERS; read only to say so. */
    PLAYGROUND_USER: z.string().optional(),
    OUTBOX_CONCURRENCY: z.coerce.number({ message: 'expected a number' }).int().min(1).max(500).default(16),
    OUTBOX_MAX_ATTEMPTS: z.coerce.number({ message: 'expected a number' }).int().min(1).max(50).default(6),
    OUTBOX_PER_CONVERSATION_PER_SECOND: z.coerce.number({ message: 'expected a number' }).int().min(0).default(7),
    OUTBOX_PER_CONVERSATION_PER_30S: z.coerce.number({ message: 'expected a number' }).int().min(0).default(60),
    OUTBOX_PER_TENANT_PER_SECOND: z.coerce.number({ message: 'expected a number' }).int().min(0).default(50),
    OUTBOX_LEASE_SECONDS: z.coerce.number({ message: 'expected a number of seconds' }).int().min(1, 'expected 1 to 3600 seconds').max(3600, 'expected 1 to 3600 seconds').default(120),
    SCHEDULER_INTERVAL_MINUTES: z.coerce.number({ message: 'expected a number of minutes' }).min(0).max(1440).default(60),
    TICKET_FIRST_RESPONSE_HOURS_URGENT: z.coerce.number({ message: 'expected a number of business hours' }).positive().max(200).default(4),
    TICKET_FIRST_RESPONSE_HOURS_NORMAL: z.coerce.number({ message: 'expected a number of business hours' }).positive().max(200).default(8),
    TICKETS_PER_USER_PER_HOUR: z.coerce.number({ message: 'expected a number' }).int().min(1).max(1000).default(5),
    IDENTITY_FETCH_TIMEOUT_MS: z.coerce.number({ message: 'expected a number of milliseconds' }).int().min(100, 'expected 100 to 2000 milliseconds').max(2000, 'expected 100 to 2000 milliseconds').default(2000),
    METRICS_PORT: port.optional(),
    METRICS_HOST: z.string().min(1).max(255).default('127.0.0.1'),
    /** The tabs' SSO token audience; default api://<PUBLIC_URL host>/<MicrosoftAppId>. */
    TAB_SSO_AUDIENCE: z.string().min(1).max(300).optional(),
    /** Where the signing keys of SSO tokens are; default Microsoft's (or the local development identity provider's). */
    TAB_SSO_JWKS_URL: z.url({ protocol: /^https?$/, message: 'expected the URL of a JWKS, such as https://login.microsoftonline.com/common/discovery/v2.0/keys' }).optional(),
    /** Accepted issuers, comma-separated, `{tid}` standing for the token's own tenant. */
    TAB_SSO_ISSUERS: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .refine((l) => l.length > 0 && l.every((x) => x.includes('{tid}') && /^https?:\/\//.test(x)), 'expected issuer URLs holding {tid}, comma-separated, such as https://login.microsoftonline.com/{tid}/v2.0')
      .optional(),
    /** The local development identity provider (GET /dev/jwks.json, POST /dev/token): development with authentication off only. */
    TAB_DEV_IDENTITY: onOff.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'expected fatal, error, warn, info, debug, trace or silent' }).default('info'),
  })
  .superRefine((c, ctx) => {
    const hasCredentials = c.MicrosoftAppId !== '' && (c.MicrosoftAppPassword !== '' || c.MicrosoftAppType === 'UserAssignedMSI');
    if (c.NODE_ENV === 'production' && !hasCredentials) {
      ctx.addIssue({
        code: 'custom',
        path: ['MicrosoftAppId'],
        message: 'production needs Bot Framework credentials: set MicrosoftAppId and MicrosoftAppPassword (refusing to start with authentication off)',
      });
    }
    if (c.MicrosoftAppType === 'SingleTenant' && c.MicrosoftAppId !== '' && c.MicrosoftAppTenantId === '') {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: 'a SingleTenant bot needs its tenant id' });
    }
    if (c.PLAYGROUND_USER !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['PLAYGROUND_USER'], message: 'replaced by PLAYGROUND_USERS: npm start now runs one Playground per person (default 20,21,22,24,25); remove PLAYGROUND_USER' });
    }
    if (c.PLAYGROUND_PORT !== 0 && c.PLAYGROUND_PORT + c.PLAYGROUND_USERS.length - 1 > 65535) {
      ctx.addIssue({ code: 'custom', path: ['PLAYGROUND_PORT'], message: `the Playgrounds use ${c.PLAYGROUND_USERS.length} consecutive ports from PLAYGROUND_PORT: expected at most ${65536 - c.PLAYGROUND_USERS.length}` });
    }
    if (c.TAB_DEV_IDENTITY === true && (c.NODE_ENV !== 'development' || c.MicrosoftAppId !== '')) {
      ctx.addIssue({ code: 'custom', path: ['TAB_DEV_IDENTITY'], message: 'the local development identity provider issues tokens for anyone: only in development with authentication off (no MicrosoftAppId)' });
    }
    if (c.NODE_ENV === 'production' && c.PLAYGROUND === true) {
      ctx.addIssue({ code: 'custom', path: ['PLAYGROUND'], message: 'the Agents Playground is a development tool: turn it off in production' });
    }
  })
  .transform((c) => {
    const authEnabled = c.MicrosoftAppId !== '';
    return {
      nodeEnv: c.NODE_ENV,
      port: c.PORT,
      /** Without authentication anyone who reaches the port can act as any user: loopback only unless HOST says otherwise. */
      host: c.HOST ?? (authEnabled ? '0.0.0.0' : '127.0.0.1'),
      /** OpenID metadata and signing-key fetches give up after this long. */
      identityFetchTimeoutMs: c.IDENTITY_FETCH_TIMEOUT_MS,
      dataDir: c.DATA_DIR,
      /** PostgreSQL connection URL (holds the password: never log it), or null for the embedded store. */
      databaseUrl: c.DATABASE_URL ?? null,
      programEdition: c.PROGRAM_EDITION,
      /** Demo data is loaded into an empty store in development unless turned off. */
      demoData: c.DEMO_DATA ?? c.NODE_ENV === 'development',
      bot: {
        appId: c.MicrosoftAppId,
        appPassword: c.MicrosoftAppPassword,
        appType: c.MicrosoftAppType,
        appTenantId: c.MicrosoftAppTenantId,
        authEnabled,
      },
      /** Base of links the bot hands out (CSV exports); by default this machine. */
      publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
      /** One Agents Playground per listed mock user, on consecutive ports from `port` (0: any free ports). */
      playground: { enabled: c.PLAYGROUND ?? (!authEnabled && c.NODE_ENV === 'development'), port: c.PLAYGROUND_PORT, users: c.PLAYGROUND_USERS },
      /**
       * Teams SSO for the tabs. `devIdentity`: tokens come from the local development identity
       * provider on this server (its JWKS and issuer unless set here); otherwise from Microsoft's.
       */
      sso: ssoSettings(c),
      logLevel: c.LOG_LEVEL,
      /** Prometheus metrics on a port of their own (off when METRICS_PORT is unset), loopback unless METRICS_HOST says otherwise. */
      metrics: c.METRICS_PORT === undefined ? null : { port: c.METRICS_PORT, host: c.METRICS_HOST },
      tickets: {
        firstResponseHours: { urgent: c.TICKET_FIRST_RESPONSE_HOURS_URGENT, normal: c.TICKET_FIRST_RESPONSE_HOURS_NORMAL },
        perUserPerHour: c.TICKETS_PER_USER_PER_HOUR,
      },
      /** How often time-based notifications are checked (0: never; also once at start-up). */
      schedulerIntervalMinutes: c.SCHEDULER_INTERVAL_MINUTES,
      /** 0 turns a limit off. Defaults: the Teams limits. */
      outbox: {
        concurrency: c.OUTBOX_CONCURRENCY,
        maxAttempts: c.OUTBOX_MAX_ATTEMPTS,
        perConversationPerSecond: c.OUTBOX_PER_CONVERSATION_PER_SECOND,
        perConversationPer30s: c.OUTBOX_PER_CONVERSATION_PER_30S,
        perTenantPerSecond: c.OUTBOX_PER_TENANT_PER_SECOND,
        /** PostgreSQL: a claim older than this is taken again (its instance is presumed dead). Longer than any one send. */
        leaseMs: c.OUTBOX_LEASE_SECONDS * 1_000,
      },
    };
  });

/** The default SSO settings; the local provider's JWKS URL (null here) is known once the server listens. */
function ssoSettings(c: { NODE_ENV: string; MicrosoftAppId: string; PUBLIC_URL?: string | undefined; PORT: number; TAB_SSO_AUDIENCE?: string | undefined; TAB_SSO_JWKS_URL?: string | undefined; TAB_SSO_ISSUERS?: string[] | undefined; TAB_DEV_IDENTITY?: boolean | undefined }) {
  const devIdentity = c.TAB_DEV_IDENTITY ?? (c.NODE_ENV === 'development' && c.MicrosoftAppId === '');
  const host = new URL(c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).host;
  return {
    devIdentity,
    audience: c.TAB_SSO_AUDIENCE ?? `api://${host}/${c.MicrosoftAppId || 'rewards-local'}`,
    jwksUrl: c.TAB_SSO_JWKS_URL ?? (devIdentity ? null : 'https://login.microsoftonline.com/common/discovery/v2.0/keys'),
    issuers: c.TAB_SSO_ISSUERS ?? (devIdentity ? null : ['https://login.microsoftonline.com/{tid}/v2.0', 'https://sts.windows.net/{tid}/']),
  };
}

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

/** A bad or missing setting: the message names each variable and what it expects. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Parses an environment (default: process.env). Throws ConfigError; never logs values. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') cleaned[k] = v.trim();
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  }
  return deepFreeze(parsed.data);
}

/** Reads `.env` into process.env when the file exists (variables already set win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

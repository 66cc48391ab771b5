// A real OpenID provider (the certified `oidc-provider` package) on 127.0.0.1 for the sign-on
// tests: one confidential client, a few accounts with group claims, and the package's
// development login and consent forms, which a test drives with plain HTTP (any password works).
//
//   node tests/oidc/provider.mjs --port 43123 --redirect-uri http://testserver/oidc/callback/ \
//     --post-logout-redirect-uri http://testserver/admin/login/
//
// Test-only routes beside the provider's own: POST /test/accounts/<id> with a JSON object
// replaces that account's claims; POST /test/clock with {"now": <seconds>} sets the provider's
// clock, so tokens carry the times of the suite's clock (tests/conftest.py travels in time).
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string' },
    'client-id': { type: 'string', default: 'webinars' },
    'client-secret': { type: 'string', default: 'webinars-test-secret' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
  },
});
if (!options.port) {
  console.error('usage: provider.mjs --port PORT --redirect-uri URI [--post-logout-redirect-uri URI]');
  process.exit(2);
}

// The provider reads the time through Date; shifting it here moves every token and cookie.
const RealDate = Date;
let offsetMs = 0;
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...args);
  }

  static now() {
    return RealDate.now() + offsetMs;
  }
}
globalThis.Date = ShiftedDate;

const { default: Provider } = await import('oidc-provider');

const accounts = new Map(Object.entries({
  organiser: {
    email: 'olga@example.org', email_verified: true, given_name: 'Olga', family_name: 'Organiser',
    preferred_username: 'olga', groups: ['organisers'],
  },
  manager: {
    email: 'max@example.org', email_verified: true, given_name: 'Max', family_name: 'Manager',
    preferred_username: 'max', groups: ['series:alpha'],
  },
  outsider: {
    email: 'otto@example.org', email_verified: true, given_name: 'Otto', family_name: 'Outsider',
    preferred_username: 'otto', groups: ['canteen'],
  },
}));

const issuer = `http://127.0.0.1:${options.port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: options['client-id'],
    client_secret: options['client-secret'],
    redirect_uris: options['redirect-uri'],
    post_logout_redirect_uris: options['post-logout-redirect-uri'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  cookies: { keys: ['webinars-test-cookie-key'] },
  async findAccount(ctx, id) {
    if (!accounts.has(id)) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...accounts.get(id) };
      },
    };
  },
});

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path.startsWith('/test/accounts/')) {
    accounts.set(decodeURIComponent(ctx.path.slice('/test/accounts/'.length)), await readJson(ctx.req));
    ctx.status = 204;
    return;
  }
  if (ctx.method === 'POST' && ctx.path === '/test/clock') {
    const { now } = await readJson(ctx.req);
    offsetMs = Math.round(now * 1000) - RealDate.now();
    ctx.status = 204;
    return;
  }
  await next();
});

const server = provider.listen(Number(options.port), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

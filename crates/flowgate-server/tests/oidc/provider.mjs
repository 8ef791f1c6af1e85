// A real OpenID Connect provider (oidc-provider) for flowgate-server's login tests.
//
//   node provider.mjs PORT REDIRECT_URI CLIENT_SECRET
//
// One confidential client (`flowgate`, authorization code with PKCE), the development
// interactions (any login name is accepted, no password) and no consent screen, so that a
// test can drive a login with plain HTTP requests. Accounts are a fixed table: `login=mara`
// gives `sub` "mara" with a verified address, and so on.
//
// For the tests of ID-token validation, `POST /test/forge` with a JSON object of claims makes
// the provider rewrite the ID token of its next token answer with those claims, signed with
// its own key (or, with `"sign_with": "other"`, with a key it does not publish).
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';

const [port, redirectUri, clientSecret] = process.argv.slice(2);
if (!port || !redirectUri || !clientSecret) {
  console.error('usage: node provider.mjs PORT REDIRECT_URI CLIENT_SECRET');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  mara: { email: 'mara@acme.example', email_verified: true, preferred_username: 'mara' },
  jonas: { email: 'jonas@acme.example', email_verified: false, preferred_username: 'jonas' },
  eve: { email: 'eve@elsewhere.example', email_verified: true, preferred_username: 'eve' },
};

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
const other = await generateKeyPair('RS256');

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'flowgate',
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = ACCOUNTS[id] ?? { email: `${id}@nowhere.example`, email_verified: false };
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

let forge = null;
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/test/forge') {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    forge = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    ctx.status = 204;
    return;
  }
  await next();
  if (forge && ctx.path === '/token' && ctx.body && ctx.body.id_token) {
    const { sign_with: signWith, ...changes } = forge;
    forge = null;
    const claims = { ...decodeJwt(ctx.body.id_token), ...changes };
    const header = decodeProtectedHeader(ctx.body.id_token);
    const key = signWith === 'other' ? other.privateKey : privateKey;
    ctx.body = {
      ...ctx.body,
      id_token: await new SignJWT(claims).setProtectedHeader(header).sign(key),
    };
  }
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider listening at ${issuer}`);
});

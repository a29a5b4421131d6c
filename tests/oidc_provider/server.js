// A certified third-party OpenID provider (panva/oidc-provider) configured like ACM/IDM:
// code flow with PKCE S256, RS256 ID tokens, the rrn claim and a role claim, acr values, a
// single-sign-on session. Started by the tests (tests/identity/test_third_party_provider.py)
// with a JSON configuration on stdin: {port, client_id, client_secret, redirect_uris,
// post_logout_redirect_uris, acr_values, accounts: {sub: claims}}. It prints "ready <issuer>".
import { generateKeyPairSync, randomBytes } from "node:crypto";
import Provider from "oidc-provider";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const config = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const issuer = `http://127.0.0.1:${config.port}`;

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-1", use: "sig", alg: "RS256" };
const scopes = ["openid", "profile", "rrn", "vo", "loket_rol"];

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: config.redirect_uris,
    post_logout_redirect_uris: config.post_logout_redirect_uris,
    token_endpoint_auth_method: "client_secret_basic",
    id_token_signed_response_alg: "RS256",
    grant_types: ["authorization_code"],
    response_types: ["code"],
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  pkce: { required: () => true },
  scopes,
  claims: {
    openid: ["sub"],
    profile: ["given_name", "family_name", "email"],
    rrn: ["rrn"],
    vo: ["vo_doelgroepcode", "vo_orgcode", "vo_orgnaam"],
    loket_rol: ["loket_rol_3d"],
    acr: null,
    auth_time: null,
  },
  acrValues: config.acr_values,
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  findAccount: (ctx, sub) => {
    const claims = config.accounts[sub];
    return claims && { accountId: sub, claims: () => ({ sub, ...claims }) };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // First-party client: no consent page; every scope and claim is granted.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(scopes.join(" "));
    grant.addOIDCClaims(["rrn", "loket_rol_3d", "given_name", "family_name", "email", "acr",
                         "auth_time"]);
    await grant.save();
    return grant;
  },
});

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

// The login page: pick an account and the means (acr) among those asked for.
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const asked = (details.params.acr_values || "").split(" ").filter(Boolean);
  const offered = asked.length ? asked : config.acr_values;
  if (ctx.method === "GET") {
    ctx.type = "html";
    ctx.body = `<!DOCTYPE html><html lang="nl"><title>Aanmelden</title>
      <form method="post" action="/interaction/${escape(details.uid)}">
      <select name="account">${Object.keys(config.accounts).map(
        (sub) => `<option>${escape(sub)}</option>`).join("")}</select>
      <select name="acr">${offered.map((acr) => `<option>${escape(acr)}</option>`).join("")}
      </select><button>Aanmelden</button></form></html>`;
    return undefined;
  }
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
  const account = form.get("account");
  const acr = form.get("acr");
  if (!config.accounts[account] || !offered.includes(acr)) {
    ctx.status = 400;
    ctx.body = "unknown account or means";
    return undefined;
  }
  return provider.interactionFinished(ctx.req, ctx.res,
    { login: { accountId: account, acr } }, { mergeWithLastSubmission: false });
});

provider.listen(config.port, "127.0.0.1", () => {
  process.stdout.write(`ready ${issuer}\n`);
});

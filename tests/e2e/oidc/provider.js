// A real OpenID Connect provider for tests (panva/oidc-provider, its development sign-in
// pages: any user name signs in). Every account's e-mail is its user name, verified.
//   node provider.js PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
  }],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  findAccount: async (ctx, id) => ({
    accountId: id,
    async claims() { return { sub: id, email: id, email_verified: true, name: id }; },
  }),
  // put the e-mail in the ID token (Streamlit reads that one, as Google's and Microsoft's
  // carry it); by default this provider gives it from the userinfo endpoint only
  conformIdTokenClaims: false,
  pkce: { required: () => false },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["test-only-cookie-key"] },
});
provider.listen(Number(port), "127.0.0.1", () => console.log(`ready on ${port}`));

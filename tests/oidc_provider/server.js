// A real OpenID Connect provider for Lutetia's end-to-end sign-in tests (panva/oidc-provider,
// the certified implementation), started by the `oidc_provider` pytest fixture
// (lutetia.testing.oidc). Not for production: plain http on 127.0.0.1, throw-away keys,
// everything in memory.
//
//   node server.js [CONFIG_JSON]        (or OIDC_TEST_CONFIG=CONFIG_JSON node server.js)
//
// CONFIG_JSON: {"port": 0, "client_id": "...", "client_secret": "...",
//               "redirect_uris": ["http://127.0.0.1:8000/account/oidc/test/login/callback/"]}
// port 0 (the default) lets the system choose a free port. Once listening, one line is printed
// on stdout: `OIDC PROVIDER READY {"issuer": "http://127.0.0.1:<port>", "port": <port>,
// "accounts": {<account id>: <its claims>, ...}}`.
//
// Signing in: the provider's development login page (devInteractions) takes any login and
// password; the login typed is the account id, so a test picks its citizen by typing
// `marianne` or `jean`. The consent page that follows has a "Continue" button (grants) and a
// "Cancel" link (/interaction/<uid>/abort), which answers the client with error=access_denied.

import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

// The citizens this provider knows, by account id (the login typed on its sign-in page).
// FranceConnect-like claims: names, birth date, a verified e-mail address (or not).
const ACCOUNTS = {
  marianne: {
    sub: 'marianne',
    email: 'marianne.dupont@example.org',
    email_verified: true,
    given_name: 'Marianne',
    family_name: 'Dupont',
    birthdate: '1985-07-14',
    locale: 'fr-FR',
  },
  jean: {
    sub: 'jean',
    email: 'jean.martin@example.org',
    email_verified: true,
    given_name: 'Jean',
    family_name: 'Martin',
    birthdate: '1990-01-31',
    locale: 'en',
  },
  unverified: {
    sub: 'unverified',
    email: 'claude.unverified@example.org',
    email_verified: false,
    given_name: 'Claude',
    family_name: 'Sansverif',
    birthdate: '1970-03-01',
  },
  // Hold the e-mail addresses of the test suite's `citizen` and `other_citizen` personas (the
  // second unverified): account takeover attempts when they have not connected this provider.
  lookalike: {
    sub: 'lookalike',
    email: 'citizen@example.org',
    email_verified: true,
    given_name: 'Camille',
    family_name: 'Imposteur',
    birthdate: '1999-12-31',
  },
  // No e-mail address at all (a provider that does not share it): Lutetia asks for one.
  anonymous: {
    sub: 'anonymous',
    given_name: 'Alix',
    family_name: 'Sansmail',
  },
  squatter: {
    sub: 'squatter',
    email: 'other.citizen@example.org',
    email_verified: false,
    given_name: 'Dominique',
    family_name: 'Usurpateur',
  },
};

function readConfig() {
  const raw = process.argv[2] || process.env.OIDC_TEST_CONFIG || '{}';
  const config = JSON.parse(raw);
  for (const key of ['client_id', 'client_secret', 'redirect_uris']) {
    if (!config[key]) {
      throw new Error(`oidc test provider: "${key}" is missing from the configuration`);
    }
  }
  return config;
}

async function main() {
  const config = readConfig();
  const server = createServer();
  // Listen first: the issuer holds the port, and port 0 lets the system choose a free one.
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(config.port || 0), '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.client_id,
        client_secret: config.client_secret,
        redirect_uris: config.redirect_uris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: config.token_endpoint_auth_method || 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['lutetia-test-provider-cookie-key'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'birthdate', 'locale'],
    },
    // PKCE is accepted (allauth sends S256) and, as FranceConnect v2 does, not forced.
    pkce: { required: () => false },
    features: {
      devInteractions: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    async findAccount(ctx, id) {
      const claims = ACCOUNTS[id];
      if (!claims) {
        return undefined;
      }
      return {
        accountId: id,
        async claims() {
          return { ...claims };
        },
      };
    },
  });
  // Plain http on 127.0.0.1: the documented way to run behind no TLS is to leave `proxy` off
  // and accept that cookies are not `Secure`; nothing else to relax for a code-flow web client.
  provider.on('server_error', (ctx, error) => {
    console.error('oidc test provider: server error', error);
  });
  server.on('request', provider.callback());

  const ready = { issuer, port, accounts: ACCOUNTS };
  console.log(`OIDC PROVIDER READY ${JSON.stringify(ready)}`);

  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

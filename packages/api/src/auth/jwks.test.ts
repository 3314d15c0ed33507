/**
 * External session JWTs verified against an identity provider's JSON Web Key Set
 * (PARLEY_JWKS_URL), served by a real HTTP server, with the required issuer and audience
 * (PARLEY_JWT_ISSUER, PARLEY_JWT_AUDIENCE): what the README promises, through the router.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  UnsecuredJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
type Algorithm = (typeof ALGORITHMS)[number];
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'parley-api';

let h: Harness;
let server: Server;
let jwksRequests = 0;
let conversationId = '';
const privateKeys = new Map<Algorithm, CryptoKey>();
const publicKeys = new Map<Algorithm, CryptoKey>();

beforeAll(async () => {
  const keys: JWK[] = [];
  for (const alg of ALGORITHMS) {
    const pair = await generateKeyPair(alg);
    privateKeys.set(alg, pair.privateKey);
    publicKeys.set(alg, pair.publicKey);
    keys.push({ ...(await exportJWK(pair.publicKey)), kid: alg, alg, use: 'sig' });
  }

  server = createServer((_req, res) => {
    jwksRequests++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  h = await createHarness({
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    jwtIssuer: ISSUER,
    jwtAudience: AUDIENCE,
  });
  const alice = await h.user('acme', 'alice');
  conversationId = (await alice.caller.conversation.create({ title: 'Via the IdP' })).id;
});
afterAll(async () => {
  await h.close();
  server.closeAllConnections();
  server.close();
});

interface Token {
  alg: string;
  kid?: string;
  key: CryptoKey | Uint8Array;
  sub?: string;
  iss?: string | null;
  aud?: string | null;
}

/** A token for `sub` in acme, with the configured issuer and audience unless told otherwise. */
function sign({ alg, kid = alg, key, sub = 'alice', iss = ISSUER, aud = AUDIENCE }: Token) {
  const jwt = new SignJWT({ org: 'acme' })
    .setProtectedHeader({ alg, kid })
    .setSubject(sub)
    .setExpirationTime('5m');
  if (iss !== null) jwt.setIssuer(iss);
  if (aud !== null) jwt.setAudience(aud);
  return jwt.sign(key);
}

const bearer = (token: string) => `Bearer ${token}`;

describe('external session JWTs against a JWKS', () => {
  it.each(ALGORITHMS)(
    'a %s token from a key of the set, with the issuer and audience, acts as its user',
    async (alg) => {
      const token = await sign({ alg, key: privateKeys.get(alg)! });
      await expect(
        h.callerFor(bearer(token)).conversation.get({ id: conversationId }),
      ).resolves.toMatchObject({ title: 'Via the IdP' });
      expect(jwksRequests).toBeGreaterThan(0); // the set came from the server
    },
  );

  // Each refused token names a user of its own who does not exist (the case's name): were it
  // accepted, that user would be created and their (empty) list served.
  type Refused = [string, (sub: string) => Promise<string>];
  const refused: Refused[] = [
    [
      'a key outside the set, under a kid of the set',
      async (sub) => sign({ sub, alg: 'ES256', key: (await generateKeyPair('ES256')).privateKey }),
    ],
    [
      'a key outside the set, under a kid the set does not have',
      async (sub) =>
        sign({ sub, alg: 'RS256', kid: 'other', key: (await generateKeyPair('RS256')).privateKey }),
    ],
    [
      'alg: none',
      (sub) =>
        Promise.resolve(
          new UnsecuredJWT({ org: 'acme' })
            .setSubject(sub)
            .setIssuer(ISSUER)
            .setAudience(AUDIENCE)
            .setExpirationTime('5m')
            .encode(),
        ),
    ],
    [
      'HS256 keyed with the RSA public key (algorithm confusion)',
      async (sub) =>
        sign({
          sub,
          alg: 'HS256',
          kid: 'RS256',
          key: new TextEncoder().encode(await exportSPKI(publicKeys.get('RS256')!)),
        }),
    ],
    [
      'another audience',
      (sub) => sign({ sub, alg: 'ES256', key: privateKeys.get('ES256')!, aud: 'x' }),
    ],
    [
      'no audience',
      (sub) => sign({ sub, alg: 'ES256', key: privateKeys.get('ES256')!, aud: null }),
    ],
    [
      'another issuer',
      (sub) =>
        sign({ sub, alg: 'EdDSA', key: privateKeys.get('EdDSA')!, iss: 'https://evil.test/' }),
    ],
    ['no issuer', (sub) => sign({ sub, alg: 'EdDSA', key: privateKeys.get('EdDSA')!, iss: null })],
  ];
  it.each(refused)('refuses %s: UNAUTHORIZED, and creates no one', async (name, make) => {
    const token = await make(name);
    await expect(h.callerFor(bearer(token)).conversation.list()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    expect(await h.db.user.count({ where: { name } })).toBe(0);
  });
});

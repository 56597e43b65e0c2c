// examples/tls-client.ts runs end to end: it makes its own certificates,
// starts its own TLS-only redis-server (tls-auth-clients yes), talks to it
// over mutual TLS and shows the three usual mistakes failing with their cause.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTsx } from '@reactor-ts/test-utils';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('examples/tls-client.ts', () => {
  it('PING, GET, a pipeline and pub/sub over mutual TLS; wrong CA, host name and missing certificate say why', async () => {
    const r = await runTsx('tls-client.ts', [], { cwd: here, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('PING -> PONG');
    expect(r.stdout).toContain('GET example:tls -> encrypted on the wire');
    expect(r.stdout).toContain('a pipeline of 1000 INCR over TLS, last reply 1000');
    expect(r.stdout).toContain('pub/sub over TLS -> hello over TLS');
    expect(r.stdout).toMatch(/a CA that did not sign the server certificate: .*TLS: the certificate is not signed by a trusted CA/);
    expect(r.stdout).toMatch(/a host name the certificate does not carry: .*TLS: the certificate does not name this host/);
    expect(r.stdout).toMatch(/no client certificate \(tls-auth-clients yes\): .*TLS: the peer (refused the handshake|reset the connection before answering)/);
    expect(r.stdout).not.toContain('connected?!');
  }, 120_000);
});

/**
 * makeTlsCerts: a private PKI for the TLS tests, made with the `openssl` CLI
 * in a fresh temporary folder.
 *
 *   ca ──signs──▶ server  (CN=localhost, SAN localhost + 127.0.0.1 + ::1)
 *      ──signs──▶ client  (CN=reactor-ts-client, for mutual TLS)
 *      ──signs──▶ expired (the server's names, valid only in 2020)
 *      ──signs──▶ wrongHost (CN/SAN wrong.example, for hostname mismatch)
 *   otherCa ────▶ otherClient (a client certificate the server must refuse)
 *
 * Keys are 2048-bit RSA (quick to make, accepted by every TLS 1.2/1.3 peer).
 * Everything is PEM: file paths for redis-server's `--tls-*-file` options and
 * buffers for `node:tls`. The folder is removed by `remove()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One key pair and its certificate, as paths and as PEM bytes. */
export interface CertFiles {
  keyFile: string;
  certFile: string;
  key: Buffer;
  cert: Buffer;
}

export interface TlsCerts {
  dir: string;
  /** The CA every other certificate here chains to (except otherCa's). */
  ca: CertFiles;
  server: CertFiles;
  client: CertFiles;
  expired: CertFiles;
  wrongHost: CertFiles;
  /** A second, unrelated CA: verifying the server against it fails with an unknown-CA error. */
  otherCa: CertFiles;
  otherClient: CertFiles;
  remove(): void;
}

const OPENSSL_HINT = 'openssl was not found. Install it (Debian/Ubuntu: `apt-get install openssl`; macOS: `brew install openssl`).';

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error(OPENSSL_HINT);
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

/** Makes the whole set; about a second of CPU. */
export function makeTlsCerts(): TlsCerts {
  const dir = mkdtempSync(path.join(tmpdir(), 'reactor-ts-tls-'));
  const files = (name: string): CertFiles => {
    const keyFile = path.join(dir, `${name}.key`);
    const certFile = path.join(dir, `${name}.crt`);
    return {
      keyFile,
      certFile,
      get key() {
        return readFileSync(keyFile);
      },
      get cert() {
        return readFileSync(certFile);
      },
    };
  };
  const makeCa = (name: string, cn: string): void => {
    openssl(['req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-sha256', '-days', '3650',
      '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.crt`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  };
  // `openssl ca` is the only OpenSSL 3.0 command that takes explicit start
  // and end dates, which the expired certificate needs; every leaf goes
  // through it so they all share one code path.
  const caConf = (ca: string): string => {
    const conf = path.join(dir, `${ca}.cnf`);
    writeFileSync(path.join(dir, `${ca}.index`), '');
    writeFileSync(path.join(dir, `${ca}.serial`), '1000\n');
    writeFileSync(conf, [
      '[ca]', `default_ca = ${ca}_section`,
      `[${ca}_section]`,
      `dir = ${dir}`, `database = $dir/${ca}.index`, `serial = $dir/${ca}.serial`, 'new_certs_dir = $dir',
      `certificate = $dir/${ca}.crt`, `private_key = $dir/${ca}.key`, 'default_md = sha256',
      'policy = policy_any', 'unique_subject = no', 'copy_extensions = copy', 'email_in_dn = no',
      '[policy_any]', 'commonName = supplied', '',
    ].join('\n'));
    return conf;
  };
  const leaf = (conf: string, name: string, cn: string, o: { san?: string; usage: 'server' | 'client'; start?: string; end?: string }): void => {
    const ext = ['-addext', `extendedKeyUsage=${o.usage === 'server' ? 'serverAuth' : 'clientAuth'}`];
    if (o.san) ext.push('-addext', `subjectAltName=${o.san}`);
    openssl(['req', '-new', '-nodes', '-newkey', 'rsa:2048', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`, ...ext], dir);
    const dates = o.start && o.end ? ['-startdate', o.start, '-enddate', o.end] : ['-days', '3650'];
    openssl(['ca', '-batch', '-notext', '-config', conf, '-in', `${name}.csr`, '-out', `${name}.crt`, ...dates], dir);
  };
  makeCa('ca', 'reactor-ts test CA');
  makeCa('other-ca', 'reactor-ts unrelated CA');
  const conf = caConf('ca');
  const otherConf = caConf('other-ca');
  const names = 'DNS:localhost,IP:127.0.0.1,IP:::1';
  leaf(conf, 'server', 'localhost', { san: names, usage: 'server' });
  leaf(conf, 'client', 'reactor-ts-client', { usage: 'client' });
  leaf(conf, 'expired', 'localhost', { san: names, usage: 'server', start: '20200101000000Z', end: '20200102000000Z' });
  leaf(conf, 'wrong-host', 'wrong.example', { san: 'DNS:wrong.example', usage: 'server' });
  leaf(otherConf, 'other-client', 'reactor-ts-stranger', { usage: 'client' });
  return {
    dir,
    ca: files('ca'),
    server: files('server'),
    client: files('client'),
    expired: files('expired'),
    wrongHost: files('wrong-host'),
    otherCa: files('other-ca'),
    otherClient: files('other-client'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

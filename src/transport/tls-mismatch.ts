import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Observable, type SchedulerLike } from 'rxjs';
import { HandshakeError, type FaktoryError } from '../errors.js';
import type { ResolvedConfig } from './config.js';

/** What OpenSSL says when the peer's first bytes are no TLS record (a plain Faktory's `+HI`). */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

/**
 * @internal The error for a TLS connection whose server answered in plain text, or `undefined`
 * when `socketError` says something else. Not retriable: every attempt would fail the same way.
 */
export function plainServerError(config: ResolvedConfig, socketError: Error): HandshakeError | undefined {
  const code = (socketError as { code?: unknown }).code;
  if (typeof code !== 'string' || !NOT_TLS.has(code)) return undefined;
  const plainUrl = config.redactedUrl.replace(/^tcp\+tls:/, 'tcp:');
  return new HandshakeError(
    `${config.redactedUrl} answered in plain text, not TLS (${code}): the server does not speak TLS here; connect with ${plainUrl} (or tls: false)`,
    { cause: socketError },
  );
}

/**
 * @internal Whether the server behind a plain connection that failed before its first byte speaks
 * TLS: a plain client and a TLS server each wait for the other to speak first, which looks like a
 * hung server. Cold: opens one TLS socket on subscription (certificates unchecked: it only asks
 * whether TLS answers), emits `true` when a TLS handshake completes or the server sends a TLS
 * alert, `false` otherwise (within `config.connectTimeoutMs`), then completes.
 */
export function speaksTls(config: ResolvedConfig, scheduler: SchedulerLike): Observable<boolean> {
  return new Observable<boolean>((subscriber) => {
    const { host, port } = config;
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, ...(isIP(host) === 0 ? { servername: host } : {}) });
    const answer = (tls: boolean): void => {
      subscriber.next(tls);
      subscriber.complete();
    };
    socket.once('secureConnect', () => {
      answer(true);
    });
    socket.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      answer(typeof code === 'string' && code.startsWith('ERR_SSL_') && code.includes('ALERT'));
    });
    socket.once('close', () => {
      answer(false);
    });
    const timer = scheduler.schedule(() => {
      answer(false);
    }, config.connectTimeoutMs);
    return () => {
      timer.unsubscribe();
      socket.destroy();
    };
  });
}

/** @internal The error for a plain connection to a server that speaks TLS. Not retriable. */
export function tlsServerError(config: ResolvedConfig, cause: FaktoryError): HandshakeError {
  const tlsUrl = config.redactedUrl.replace(/^tcp:/, 'tcp+tls:');
  return new HandshakeError(
    `${config.redactedUrl} speaks TLS, and a plain connection gets no greeting from it: connect with ${tlsUrl} (or tls: true)`,
    { cause },
  );
}

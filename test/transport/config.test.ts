import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../../src/errors.js';
import { queuesFromEnv, workerIdFromEnv } from '../../src/transport/config.js';
import { resolveConfig, type ConnectionOptions } from '../../src/transport/index.js';

interface Case {
  readonly name: string;
  readonly options?: ConnectionOptions;
  readonly env?: NodeJS.ProcessEnv;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly password?: string;
  readonly namespace?: string;
  readonly redactedUrl: string;
}

const cases: readonly Case[] = [
  { name: 'defaults to tcp://localhost:7419', host: 'localhost', port: 7419, tls: false, redactedUrl: 'tcp://localhost:7419' },
  { name: 'reads FAKTORY_URL', env: { FAKTORY_URL: 'tcp://faktory:7000' }, host: 'faktory', port: 7000, tls: false, redactedUrl: 'tcp://faktory:7000' },
  {
    name: 'prefers the variable FAKTORY_PROVIDER names over FAKTORY_URL',
    env: { FAKTORY_PROVIDER: 'MY_FAKTORY', MY_FAKTORY: 'tcp://provided:7001', FAKTORY_URL: 'tcp://ignored:7002' },
    host: 'provided', port: 7001, tls: false, redactedUrl: 'tcp://provided:7001',
  },
  {
    name: 'reads a namespace from the URL path and shows it in the redacted URL',
    options: { url: 'tcp+tls://:pw@h:7001/app-' },
    host: 'h', port: 7001, tls: true, password: 'pw', namespace: 'app-', redactedUrl: 'tcp+tls://:***@h:7001/app-',
  },
  { name: 'takes a bare / as no namespace', options: { url: 'tcp://h:1/' }, host: 'h', port: 1, tls: false, redactedUrl: 'tcp://h:1' },
  {
    name: 'prefers the url option over the environment',
    options: { url: 'tcp://explicit:7100' }, env: { FAKTORY_URL: 'tcp://env:7200' },
    host: 'explicit', port: 7100, tls: false, redactedUrl: 'tcp://explicit:7100',
  },
  {
    name: 'lets host, port and password options override the URL',
    options: { url: 'tcp://:old@a:1', host: 'b', port: 2, password: 'new' },
    host: 'b', port: 2, tls: false, password: 'new', redactedUrl: 'tcp://:***@b:2',
  },
  {
    name: 'percent-decodes the password and keeps it out of the redacted URL',
    options: { url: 'tcp://:p%40ss%3Aw%2Frd@host' },
    host: 'host', port: 7419, tls: false, password: 'p@ss:w/rd', redactedUrl: 'tcp://:***@host:7419',
  },
  { name: 'turns TLS on for tcp+tls://', options: { url: 'tcp+tls://secure.example' }, host: 'secure.example', port: 7419, tls: true, redactedUrl: 'tcp+tls://secure.example:7419' },
  { name: 'turns TLS off when tls: false overrides the scheme', options: { url: 'tcp+tls://h:1', tls: false }, host: 'h', port: 1, tls: false, redactedUrl: 'tcp://h:1' },
  { name: 'turns TLS on with tls: true', options: { url: 'tcp://h:1', tls: true }, host: 'h', port: 1, tls: true, redactedUrl: 'tcp+tls://h:1' },
  { name: 'strips the brackets of an IPv6 host', options: { url: 'tcp://[::1]:7500' }, host: '::1', port: 7500, tls: false, redactedUrl: 'tcp://[::1]:7500' },
  { name: 'gives an IPv6 host without a port the default port', options: { url: 'tcp://:pw@[fe80::1]' }, host: 'fe80::1', port: 7419, tls: false, password: 'pw', redactedUrl: 'tcp://:***@[fe80::1]:7419' },
];

describe('resolveConfig', () => {
  for (const c of cases) {
    it(c.name, () => {
      const config = resolveConfig(c.options, c.env ?? {});
      assert.equal(config.host, c.host);
      assert.equal(config.port, c.port);
      assert.equal(config.tls !== false, c.tls);
      assert.equal(config.password, c.password);
      assert.equal(config.redactedUrl, c.redactedUrl);
      assert.equal(config.namespace, c.namespace ?? '');
    });
  }

  for (const [value, state] of [[undefined, 'not set'], ['', 'empty']] as const) {
    it(`rejects a FAKTORY_PROVIDER naming a variable that is ${state}, instead of falling back to FAKTORY_URL or localhost`, () => {
      const env: NodeJS.ProcessEnv = { FAKTORY_PROVIDER: 'MY_URL', FAKTORY_URL: 'tcp://fallback:7003' };
      if (value !== undefined) env['MY_URL'] = value;
      assert.throws(() => resolveConfig({}, env), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.argument, 'FAKTORY_PROVIDER');
        assert.match(error.message, new RegExp(`names the variable MY_URL, which is ${state}`));
        return true;
      });
    });
  }

  it('names the variable FAKTORY_PROVIDER points at when its URL is bad', () => {
    assert.throws(
      () => resolveConfig({}, { FAKTORY_PROVIDER: 'MY_URL', MY_URL: 'http://h' }),
      (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'MY_URL',
    );
  });

  for (const url of ['tcp://h:1/bad namespace', 'tcp://h:1/a/b', 'tcp://h:1/app?x=1']) {
    it(`rejects the URL ${url}: a namespace must be a queue name prefix`, () => {
      assert.throws(() => resolveConfig({ url }, {}), (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'url');
    });
  }

  for (const [key, hint] of [['poolSize', 'size'], ['tlsOptions', 'tls'], ['connectTimeout', 'connectTimeoutMs'], ['URL', 'url'], ['wid', 'worker.wid']] as const) {
    it(`refuses the unknown option ${key}, suggesting ${hint}`, () => {
      assert.throws(() => resolveConfig({ [key]: 1 }, {}), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.argument, key);
        assert.match(error.message, new RegExp(`is not an option of resolveConfig \\(did you mean ${hint.replace('.', '\\.')}\\?\\)`));
        return true;
      });
    });
  }

  it('refuses an unknown key of the worker identity, naming it with its path', () => {
    assert.throws(
      () => resolveConfig({ worker: { wid: 'w', label: ['x'] } as never }, {}),
      (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'worker.label' && !/did you mean/.test(error.message),
    );
  });

  it('ignores an unknown key whose value is undefined', () => {
    assert.equal(resolveConfig({ poolSize: undefined } as ConnectionOptions, {}).host, 'localhost');
  });

  it('rejects a FAKTORY_PROVIDER holding a URL instead of a variable name, without echoing it', () => {
    assert.throws(
      () => resolveConfig({}, { FAKTORY_PROVIDER: 'tcp://:secret@host:7419' }),
      (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'FAKTORY_PROVIDER' && !error.message.includes('secret'),
    );
  });

  for (const [url, why] of [['http://host:7419', 'scheme'], ['not a url', 'not a URL'], ['tcp://:p%zz@host', 'percent']] as const) {
    it(`rejects the URL ${url} (${why}) without echoing it`, () => {
      assert.throws(() => resolveConfig({ url }, {}), (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'url' && !error.message.includes(url));
    });
  }

  for (const [option, value] of [['port', 0], ['port', 70_000], ['connectTimeoutMs', 0], ['commandTimeoutMs', Number.NaN]] as const) {
    it(`rejects ${option}: ${value} naming the option`, () => {
      assert.throws(() => resolveConfig({ [option]: value }, {}), (error: unknown) => error instanceof InvalidArgumentError && error.argument === option);
    });
  }

  it('applies the timeout, keep-alive and worker identity defaults', () => {
    const config = resolveConfig({ worker: { wid: 'w' } }, {});
    assert.equal(config.connectTimeoutMs, 5_000);
    assert.equal(config.commandTimeoutMs, 10_000);
    assert.equal(config.keepAlive, true);
    assert.deepEqual(config.worker?.labels, ['node']);
    assert.equal(config.worker.pid, process.pid);
  });

  it('keeps the password out of util.inspect and JSON', () => {
    const config = resolveConfig({ url: 'tcp://:hunter2@host' }, {});
    assert.equal(config.password, 'hunter2');
    assert.ok(!inspect(config, { showHidden: true, depth: 5 }).includes('hunter2'));
    assert.ok(!JSON.stringify(config).includes('hunter2'));
  });

  it('passes TLS options through', () => {
    const ca = 'PEM';
    const config = resolveConfig({ url: 'tcp://h', tls: { ca, rejectUnauthorized: true } }, {});
    assert.deepEqual(config.tls, { ca, rejectUnauthorized: true });
  });
});

describe('queuesFromEnv', () => {
  it('reads FAKTORY_QUEUE as comma-separated queue names, white space around them ignored', () => {
    assert.deepEqual(queuesFromEnv({ FAKTORY_QUEUE: 'critical, default ,low' }), ['critical', 'default', 'low']);
    assert.deepEqual(queuesFromEnv({ FAKTORY_QUEUE: 'one' }), ['one']);
  });

  it('gives undefined when FAKTORY_QUEUE is unset or blank', () => {
    assert.equal(queuesFromEnv({}), undefined);
    assert.equal(queuesFromEnv({ FAKTORY_QUEUE: ' ' }), undefined);
  });

  for (const [value, position] of [['a,,b', 2], ['a,bad queue', 2], ['a,*', 2], ['x,', 2]] as const) {
    it(`rejects FAKTORY_QUEUE=${JSON.stringify(value)}, naming the variable and the position`, () => {
      assert.throws(() => queuesFromEnv({ FAKTORY_QUEUE: value }), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.argument, 'FAKTORY_QUEUE');
        assert.match(error.message, new RegExp(`at position ${position}`));
        return true;
      });
    });
  }
});

describe('workerIdFromEnv', () => {
  it('reads FAKTORY_WORKER_ID, or gives undefined when it is unset or empty', () => {
    assert.equal(workerIdFromEnv({ FAKTORY_WORKER_ID: 'worker-7' }), 'worker-7');
    assert.equal(workerIdFromEnv({}), undefined);
    assert.equal(workerIdFromEnv({ FAKTORY_WORKER_ID: '' }), undefined);
  });

  it('rejects a FAKTORY_WORKER_ID with white space, naming the variable', () => {
    assert.throws(() => workerIdFromEnv({ FAKTORY_WORKER_ID: 'a b' }), (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'FAKTORY_WORKER_ID');
  });
});

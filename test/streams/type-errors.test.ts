// Where type errors land: each case is a small program against the public entry, compiled with
// the repo's compiler options; `/*!*/` marks where its one error must start, and the message
// must say what is wrong. A case without a marker must compile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = fileURLToPath(new URL('.', import.meta.url));
const MARK = '/*!*/';

const prelude = `
import { firstValueFrom } from 'rxjs';
import { createClient, createWorker, job, runWorker, type JobHandler, type JobHandlers, type JobContext, type Middleware, type PushResult, type WorkerOptions } from '../../src/index.js';
type Jobs = { SendEmail: [to: string, templateId: number]; Resize: [url: string, sizes: number[]] };
const client = createClient<Jobs>();
void firstValueFrom; void createWorker; void job; void runWorker; void client;
export type { JobHandler, JobHandlers, JobContext, Middleware, PushResult, WorkerOptions };
`;

interface Case {
  readonly name: string;
  readonly code: string;
  /** A fragment of the error's message (none when the case must compile). */
  readonly message?: string;
}

const cases: readonly Case[] = [
  {
    name: 'a wrong argument to client.job is reported at that argument, string against number',
    code: `client.push(client.job('SendEmail', 'ada@example.com', /*!*/'7'));`,
    message: "Argument of type 'string' is not assignable to parameter of type 'number'",
  },
  {
    name: 'an unknown jobtype is reported at the jobtype, naming the known ones',
    code: `client.job(/*!*/'SendMail', 'ada@example.com', 7);`,
    message: `'"SendEmail" | "Resize"'`,
  },
  {
    name: 'a wrong element of an array argument is reported at the element',
    code: `client.job('Resize', 'https://x', [64, /*!*/'128']);`,
    message: "Type 'string' is not assignable to type 'number'",
  },
  {
    name: 'a job map with a Date argument does not satisfy JobTypes, reported at the map',
    code: `type Bad = { Remind: [when: Date] };\ncreateClient</*!*/Bad>();`,
    message: "does not satisfy the constraint 'JobTypes'",
  },
  {
    name: 'a job map with a function argument does not satisfy JobTypes in the worker either',
    code: `type Bad = { Call: [callback: () => void] };\ncreateWorker</*!*/Bad>({ handlers: {} });`,
    message: "does not satisfy the constraint 'JobTypes'",
  },
  {
    name: 'standalone JobHandlers<Jobs> give handlers a client that can push, and runWorker<Jobs> takes them',
    code: `const handlers: JobHandlers<Jobs> = {
      SendEmail: async ([to, templateId], ctx) => { await firstValueFrom(ctx.client.push(ctx.client.job('Resize', to, [templateId]))); },
    };
    const options: WorkerOptions<Jobs> = { handlers };
    void runWorker<Jobs>({ handlers, queues: ['default'] });
    void runWorker<Jobs>(options);
    void createWorker<Jobs>(options);`,
  },
  {
    name: 'a handler reading its arguments wrongly is reported at the wrong use',
    code: `const handlers: JobHandlers<Jobs> = { SendEmail: ([to]) => to./*!*/toFixed() };\nvoid handlers;`,
    message: "Property 'toFixed' does not exist on type 'string'",
  },
  {
    name: 'a job pushed from a handler is checked against the map at its argument',
    code: `const handlers: JobHandlers<Jobs> = { SendEmail: (_args, ctx) => ctx.client.push(ctx.client.job('Resize', /*!*/1, [1])) };\nvoid handlers;`,
    message: "Argument of type 'number' is not assignable to parameter of type 'string'",
  },
  {
    name: 'every generic of the client and the worker has a default',
    code: `const ctx = null as unknown as JobContext; const m: Middleware = (next$) => next$;
    const h: JobHandler = (args, c) => c.client.push(job('Again', ...args)); const r: PushResult | undefined = undefined;
    void ctx.client.push(job('Anything', 1, 'two')); void m; void h; void r;
    void runWorker({ handlers: { Anything: () => undefined } });`,
  },
];

function compile(): Map<string, readonly ts.Diagnostic[]> {
  const config = ts.getParsedCommandLineOfConfigFile(fileURLToPath(new URL('../../tsconfig.json', import.meta.url)), { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  assert.ok(config !== undefined);
  const files = new Map(cases.map((c, i) => [`${here}type-case-${i}.ts`, `${prelude}\n${c.code.replace(MARK, '')}\n`]));
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError) => {
    const text = files.get(name);
    return text === undefined ? read(name, version, onError) : ts.createSourceFile(name, text, version);
  };
  host.fileExists = ((exists) => (name: string) => files.has(name) || exists(name))(host.fileExists.bind(host));
  const program = ts.createProgram([...files.keys()], config.options, host);
  return new Map([...files.keys()].map((name) => [name, ts.getPreEmitDiagnostics(program, program.getSourceFile(name))]));
}

describe('type errors of the public API', () => {
  const diagnostics = compile();
  cases.forEach((c, i) => {
    it(c.name, () => {
      const found = diagnostics.get(`${here}type-case-${i}.ts`) ?? [];
      const shown = found.map((d) => `${String(d.start)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`).join('\n');
      if (c.message === undefined) {
        assert.equal(found.length, 0, shown);
        return;
      }
      assert.equal(found.length, 1, shown);
      const [error] = found as [ts.Diagnostic];
      assert.equal(error.start, prelude.length + 1 + c.code.indexOf(MARK), shown);
      assert.ok(ts.flattenDiagnosticMessageText(error.messageText, '\n').includes(c.message), shown);
    });
  });
});

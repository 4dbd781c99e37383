import { request } from 'node:http';

/** One GET to a local HTTP server: the status, content type and body. */
export function httpGet(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body });
      });
    })
      .on('error', reject)
      .end();
  });
}

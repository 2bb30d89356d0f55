import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';

/** An HTTP/1.1 answer read off a raw socket: status, lower-cased headers, body, and the bytes as they came. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  raw: string;
}

/**
 * Writes `request` as it is to a TCP connection and reads the answer until the server closes it. HTTP clients refuse
 * to send what these tests need (a control character in a header, headers over the size limit), so the test writes
 * the bytes itself.
 */
export function sendRawHttp(port: number, request: string, timeoutMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms; got: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    // A server that answers before reading the whole request may reset the connection after its answer.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const headerEnd = raw.indexOf('\r\n\r\n');
      if (headerEnd < 0) return reject(new Error(`no HTTP answer; got: ${JSON.stringify(raw.slice(0, 200))}`));
      const [statusLine, ...headerLines] = raw.slice(0, headerEnd).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(headerEnd + 4), raw });
    });
    socket.write(request, 'latin1');
  });
}

/** An HTTP answer with its body parsed as JSON when it is JSON. */
export interface SourcedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * One HTTP request from a chosen local address (`127.0.0.2`: any 127.x address reaches a server listening on
 * 127.0.0.1 on Linux), on a connection of its own. supertest always connects from 127.0.0.1, and popgate trusts no
 * X-Forwarded-For, so a test about per-address behaviour needs real source addresses.
 */
export function requestFrom(
  localAddress: string,
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<SourcedAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, localAddress, agent: false, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json = /json/.test(String(incoming.headers['content-type'] ?? ''));
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: json && text ? JSON.parse(text) : text });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

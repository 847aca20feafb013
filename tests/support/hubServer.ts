// tests (support, Node only): a local stand-in for the Hugging Face Hub's resolve endpoint (Range, gating, throttling, CORS), for unit tests and Playwright.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface HubServerOptions {
  /** "owner/name" -> folder whose files the repo serves (at any revision). */
  readonly repos: Record<string, string>;
  /** "owner/name" -> file path -> bytes, for files made in the test (corrupt files, shards). */
  readonly memory?: Record<string, Record<string, Uint8Array>>;
  /** "owner/name" -> the token it requires (`Authorization: Bearer <token>`); otherwise 401. */
  readonly gated?: Record<string, string>;
  /** Wait before answering each request, in ms. */
  readonly delayMs?: number;
  /** Send bodies at about this rate (in 50 ms slices), to test progress and abort. */
  readonly bytesPerSecond?: number;
  /** Answer 200 with the whole file whatever the Range header says (a server without range support). */
  readonly ignoreRange?: boolean;
}

/** One request as the server saw it. */
export interface HubRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly range: string | null;
  /** Whether an Authorization header was sent. */
  readonly auth: boolean;
}

export interface HubServer {
  /** Origin, e.g. http://127.0.0.1:41234 (give it to createHubClient as `host`). */
  readonly url: string;
  readonly requests: HubRequest[];
  close(): Promise<void>;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Range, Authorization',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges, ETag, X-Error-Code',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RFC 9110 §14.1.2 single byte range against a file of `size` bytes: [start, end] inclusive, 'bad' (416), or null (serve whole). */
function parseRange(header: string | undefined, size: number): [number, number] | 'bad' | null {
  if (!header) return null;
  const m = header.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return header.includes(',') ? null : 'bad'; // several ranges: serve whole
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 || size === 0 ? 'bad' : [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || start > end ? 'bad' : [start, end];
}

/** Starts the server on 127.0.0.1 at a free port. */
export async function startHubServer(opts: HubServerOptions): Promise<HubServer> {
  const requests: HubRequest[] = [];

  async function lookup(repo: string, file: string[]): Promise<Uint8Array | null> {
    const inMemory = opts.memory?.[repo]?.[file.join('/')];
    if (inMemory) return inMemory;
    const folder = opts.repos[repo];
    if (!folder || file.some((s) => s === '..' || s === '.' || s === '')) return null;
    const full = path.join(folder, ...file);
    const info = await stat(full).catch(() => null);
    return info?.isFile() ? new Uint8Array(await readFile(full)) : null;
  }

  async function send(res: ServerResponse, body: Uint8Array): Promise<void> {
    const rate = opts.bytesPerSecond;
    if (!rate) {
      res.end(body);
      return;
    }
    const slice = Math.max(1, Math.round(rate / 20));
    for (let at = 0; at < body.length && !res.destroyed; at += slice) {
      res.write(body.subarray(at, at + slice));
      await sleep(50);
    }
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const range = req.headers.range ?? null;
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '', range, auth: req.headers.authorization !== undefined });
    if (opts.delayMs) await sleep(opts.delayMs);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'Access-Control-Max-Age': '600' }).end();
      return;
    }
    const fail = (status: number, code: string, message: string) =>
      res.writeHead(status, { ...CORS, 'Content-Type': 'text/plain', 'X-Error-Code': code }).end(message);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void fail(405, 'MethodNotAllowed', 'GET or HEAD only');
    const segments = new URL(req.url ?? '/', 'http://x').pathname.split('/').slice(1).map(decodeURIComponent);
    const [owner, name, resolve, revision, ...file] = segments;
    const repo = `${owner}/${name}`;
    if (resolve !== 'resolve' || !revision || file.length === 0) return void fail(404, 'EntryNotFound', 'not a resolve URL');
    if (!(repo in opts.repos) && !(repo in (opts.memory ?? {}))) return void fail(404, 'RepoNotFound', 'Repository not found');
    const token = opts.gated?.[repo];
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      return void fail(401, 'GatedRepo', 'Access to this repo is restricted: authenticate with a token that has access');
    }
    const body = await lookup(repo, file);
    if (!body) return void fail(404, 'EntryNotFound', 'Entry not found');

    const headers = {
      ...CORS,
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/octet-stream',
      ETag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`,
    };
    const wanted = opts.ignoreRange ? null : parseRange(req.headers.range, body.length);
    if (wanted === 'bad') {
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    const [start, end] = wanted ?? [0, body.length - 1];
    const part = body.subarray(start, end + 1);
    res.writeHead(wanted ? 206 : 200, {
      ...headers,
      'Content-Length': String(part.length),
      ...(wanted ? { 'Content-Range': `bytes ${start}-${end}/${body.length}` } : {}),
    });
    if (req.method === 'HEAD') res.end();
    else await send(res, part);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, CORS);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((e) => (e ? reject(e) : resolve()));
    }),
  };
}

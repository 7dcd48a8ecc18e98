/** HTTP load helpers against the api processes (plain node:http with keep-alive agents). */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** the api processes' ports (free ones, chosen at startup); requests go to the first unless told otherwise */
export const apiPorts: number[] = [];

export interface Res {
  status: number;
  body: string;
}

/** One request to the api process listening on `to` (default: the first). */
export function request(agent: http.Agent, method: string, path: string, auth: string, body?: string, to = apiPorts[0]): Promise<Res> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { authorization: auth };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request({ host: '127.0.0.1', port: to, method, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function json(agent: http.Agent, method: string, path: string, auth: string, body?: object, expect = [200, 201]): Promise<any> {
  const res = await request(agent, method, path, auth, body === undefined ? undefined : JSON.stringify(body));
  if (!expect.includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}: ${res.body.slice(0, 500)}`);
  return res.body ? JSON.parse(res.body) : undefined;
}

export interface Acceptance {
  name: string;
  clients: number;
  requests: number;
  events: number;
  seconds: number;
  latencies: number[];
}

/**
 * `clients` closed loops POSTing bodies from `bodies` for `seconds`; every answer must be 202. Client c talks to
 * `ports[c mod ports.length]` (round-robin over the api processes).
 */
export async function closedLoop(
  agent: http.Agent,
  auth: string,
  name: string,
  clients: number,
  seconds: number,
  bodies: string[],
  eventsPerRequest: number,
  ports = apiPorts,
): Promise<Acceptance> {
  const latencies: number[] = [];
  let requests = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const loop = async (c: number) => {
    let i = c;
    while (performance.now() < end) {
      const t = performance.now();
      const res = await request(agent, 'POST', '/ingest', auth, bodies[i++ % bodies.length], ports[c % ports.length]);
      if (res.status !== 202) throw new Error(`POST /ingest answered ${res.status}: ${res.body.slice(0, 300)}`);
      latencies.push(performance.now() - t);
      requests++;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  const secs = (performance.now() - started) / 1000;
  return { name, clients, requests, events: requests * eventsPerRequest, seconds: secs, latencies: latencies.sort((a, b) => a - b) };
}

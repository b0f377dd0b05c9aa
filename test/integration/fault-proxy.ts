import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

/**
 * A fault-injecting HTTP proxy in front of moto_server for reliability tests. It listens on
 * 127.0.0.1 only, answers a bounded number of requests, and stops by itself after `lifetimeMs`, so
 * a forgotten proxy never outlives its test file. Faults are drawn from a seeded generator: the
 * same plan injects the same faults run after run.
 */

interface FaultPlan {
  /** Share of requests answered as throttled, in each service's own words (0..1). */
  throttleShare?: number;
  /** Share of requests answered 500 InternalError (0..1). */
  serverErrorShare?: number;
  /** Added to every forwarded request (ms). */
  delayMs?: number;
  /** Bucket name → HTTP status its GetBucketPolicy answers (400 InvalidRequest, 403 AccessDenied). */
  bucketPolicyStatus?: Readonly<Record<string, 400 | 403>>;
  /** Accept connections and never answer. */
  silent?: boolean;
  /** Seed of the fault generator. */
  seed?: number;
}

interface FaultLimits {
  /** Requests answered before every further one gets 503 (default 20,000). */
  maxRequests?: number;
  /** The proxy stops itself after this long (default 5 minutes). */
  lifetimeMs?: number;
}

interface FaultStats {
  requests: number;
  throttled: number;
  serverErrors: number;
  bucketFaults: number;
}

interface FaultProxy {
  url: string;
  stats: FaultStats;
  stop(): Promise<void>;
}

/** mulberry32: small, fast and good enough to spread faults evenly. */
const seeded = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** The service a SigV4-signed request is for, from its credential scope. */
const serviceOf = (request: IncomingMessage): string => {
  const authorization = request.headers.authorization ?? '';
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ?? 's3';
};

const send = (
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
): void => {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': 'fault-proxy',
  });
  response.end(body);
};

type Protocol = 'config' | 'ec2' | 's3';
type ErrorSpec = Record<Protocol, [status: number, code: string, message: string]>;

const THROTTLED: ErrorSpec = {
  config: [400, 'ThrottlingException', 'Rate exceeded'],
  ec2: [503, 'RequestLimitExceeded', 'Request limit exceeded.'],
  s3: [503, 'SlowDown', 'Please reduce your request rate.'],
};
const SERVER_ERROR: ErrorSpec = {
  config: [500, 'InternalFailure', 'injected'],
  ec2: [500, 'InternalError', 'injected'],
  s3: [500, 'InternalError', 'injected'],
};

/** An error answer in the wire protocol of each service the live view reads. */
const answerError = (response: ServerResponse, service: string, spec: ErrorSpec): void => {
  const protocol: Protocol = service === 'config' || service === 'ec2' ? service : 's3';
  const [status, code, message] = spec[protocol];
  if (protocol === 'config') {
    send(response, status, 'application/x-amz-json-1.1', JSON.stringify({ __type: code, message }));
  } else if (protocol === 'ec2') {
    send(
      response,
      status,
      'text/xml',
      `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>`,
    );
  } else {
    send(
      response,
      status,
      'application/xml',
      `<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    );
  }
};

/** The bucket a path-style `GET /bucket?policy` reads, if that is what the request is. */
const policyReadOf = (request: IncomingMessage): string | undefined => {
  const url = new URL(request.url ?? '/', 'http://proxy');
  if (request.method !== 'GET' || !url.searchParams.has('policy')) return undefined;
  const bucket = url.pathname.split('/')[1];
  return bucket ? decodeURIComponent(bucket) : undefined;
};

const startFaultProxy = async (
  target: string,
  plan: FaultPlan,
  limits: FaultLimits = {},
): Promise<FaultProxy> => {
  const targetUrl = new URL(target);
  const random = seeded(plan.seed ?? 1);
  const maxRequests = limits.maxRequests ?? 20_000;
  const stats: FaultStats = { requests: 0, throttled: 0, serverErrors: 0, bucketFaults: 0 };
  const sockets = new Set<Socket>();

  const forward = (request: IncomingMessage, response: ServerResponse): void => {
    const upstream = httpRequest(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) send(response, 502, 'text/plain', 'upstream failed');
      else response.destroy();
    });
    request.pipe(upstream);
  };

  const server = createServer((request, response) => {
    if (plan.silent) return; // accepted, never answered: the client's timeouts must end it
    stats.requests += 1;
    if (stats.requests > maxRequests) {
      send(response, 503, 'text/plain', 'fault proxy request limit reached');
      return;
    }
    const service = serviceOf(request);
    const bucket = policyReadOf(request);
    const bucketStatus = bucket === undefined ? undefined : plan.bucketPolicyStatus?.[bucket];
    const act = (): void => {
      const draw = bucketStatus === undefined ? random() : 1;
      const throttled = draw < (plan.throttleShare ?? 0);
      const failed = !throttled && draw < (plan.throttleShare ?? 0) + (plan.serverErrorShare ?? 0);
      // Answered here: read the request body anyway so the kept-alive connection stays clean.
      if (bucketStatus !== undefined || throttled || failed) request.resume();
      if (bucketStatus === 400) {
        stats.bucketFaults += 1;
        send(
          response,
          400,
          'application/xml',
          '<Error><Code>InvalidRequest</Code><Message>injected: this bucket cannot be read</Message></Error>',
        );
        return;
      }
      if (bucketStatus === 403) {
        stats.bucketFaults += 1;
        send(
          response,
          403,
          'application/xml',
          '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
        );
        return;
      }
      if (throttled) {
        stats.throttled += 1;
        answerError(response, service, THROTTLED);
      } else if (failed) {
        stats.serverErrors += 1;
        answerError(response, service, SERVER_ERROR);
      } else {
        forward(request, response);
      }
    };
    if (plan.delayMs) setTimeout(act, plan.delayMs);
    else act();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve) => {
      clearTimeout(lifetime);
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
    return stopped;
  };
  const lifetime = setTimeout(() => void stop(), limits.lifetimeMs ?? 300_000);
  lifetime.unref();
  return { url: `http://127.0.0.1:${port}`, stats, stop };
};

export type { FaultLimits, FaultPlan, FaultProxy, FaultStats };
export { startFaultProxy };

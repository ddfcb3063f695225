import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP proxy in front of dynalite or s3rver that fails a fraction of requests the way the real services
 * do (throttling bodies, 5xx, a response lost after the write was applied) and can be cut like a server
 * that went away: the port refuses connections until `restore()` listens on it again. The SDK sees real
 * HTTP, so its retry loop absorbs some faults exactly as it would in AWS.
 */
export const FaultResponse = {
  /** DynamoDB throttling (400, retried by the SDK as throttling). */
  THROTTLED: 'throttled',
  /** 500 InternalServerError before the request reaches the service. */
  SERVER_ERROR: 'serverError',
  /** The service applied the request, then the proxy answers 500: the caller retries an applied write. */
  LOST_RESPONSE: 'lostResponse',
} as const;
export type FaultResponse = (typeof FaultResponse)[keyof typeof FaultResponse];

export interface FaultProxy {
  readonly endpoint: string;
  /** Probability that a request gets one of the fault responses, in [0, 1]. */
  rate: number;
  /** Cut after this many more forwarded requests (undefined: never); the cut one is applied, its answer lost. */
  cutAfter: number | undefined;
  readonly counts: Record<FaultResponse | 'forwarded' | 'refused', number>;
  /** Like stopping the server: open connections are destroyed, new ones refused. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  stop(): Promise<void>;
}

const DYNAMODB_THROTTLING = [
  'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  'com.amazonaws.dynamodb.v20120810#ThrottlingException',
];

const faultBody = (fault: FaultResponse, isS3: boolean, pick: number): { status: number; body: string } => {
  if (isS3) {
    const code = fault === FaultResponse.THROTTLED ? 'SlowDown' : 'InternalError';
    return {
      status: fault === FaultResponse.THROTTLED ? 503 : 500,
      body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`,
    };
  }
  if (fault === FaultResponse.THROTTLED) {
    const type = DYNAMODB_THROTTLING[pick < 0.5 ? 0 : 1];
    return { status: 400, body: JSON.stringify({ __type: type, message: 'Injected throttling' }) };
  }
  return {
    status: 500,
    body: JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: 'injected',
    }),
  };
};

const FAULTS: readonly FaultResponse[] = Object.values(FaultResponse);

export const startFaultProxy = async (
  target: string,
  random: () => number,
  options: { s3?: boolean } = {},
): Promise<FaultProxy> => {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  let listening = false;

  const proxy: FaultProxy = {
    endpoint: '',
    rate: 0,
    cutAfter: undefined,
    counts: { throttled: 0, serverError: 0, lostResponse: 0, forwarded: 0, refused: 0 },
    cut: async () => {
      if (!listening) return;
      listening = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    restore: async () => {
      if (listening) return;
      await listen();
    },
    stop: async () => {
      await proxy.cut();
    },
  };

  const reply = (res: import('node:http').ServerResponse, fault: FaultResponse) => {
    const { status, body } = faultBody(fault, options.s3 === true, random());
    res.writeHead(status, {
      'content-type': options.s3 ? 'application/xml' : 'application/x-amz-json-1.0',
      'x-amzn-requestid': 'injected',
    });
    res.end(body);
  };

  const handle = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const fault = random() < proxy.rate ? FAULTS[Math.floor(random() * FAULTS.length)] : undefined;
    if (fault !== undefined && fault !== FaultResponse.LOST_RESPONSE) {
      proxy.counts[fault] += 1;
      req.resume();
      reply(res, fault);
      return;
    }
    const cutting = proxy.cutAfter !== undefined && proxy.cutAfter <= 0;
    if (proxy.cutAfter !== undefined) proxy.cutAfter -= 1;
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamRes) => {
        proxy.counts.forwarded += 1;
        if (cutting) {
          // The request was applied; the server "dies" before answering.
          upstreamRes.resume();
          proxy.cutAfter = undefined;
          void proxy.cut();
          return;
        }
        if (fault === FaultResponse.LOST_RESPONSE) {
          proxy.counts.lostResponse += 1;
          upstreamRes.resume();
          reply(res, fault);
          return;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(handle);
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        listening = true;
        resolve();
      });
    });

  await listen();
  (proxy as { endpoint: string }).endpoint = `http://127.0.0.1:${port}`;
  return proxy;
};

// A UDP relay that holds every datagram for a fixed time each way: the delay of a weak network
// (this kernel has no netem) and a 1:1 NAT in one piece, for call-weak-network.spec.ts.
//
//   node udp-delay-relay.mjs LISTEN_HOST:PORT TARGET_HOST:PORT DELAY_MS
//
// A client's datagrams to LISTEN go, DELAY_MS later, to TARGET from a socket of that client's own
// (bound on TARGET's host, so kefu sees each browser as one loopback address); what TARGET answers
// on that socket goes, DELAY_MS later, back to the client from LISTEN. Prints `ready` once bound.
import { createSocket } from 'node:dgram';

const [listenArg, targetArg, delayArg] = process.argv.slice(2);
const split = (a) => {
  const i = a.lastIndexOf(':');
  return [a.slice(0, i), Number(a.slice(i + 1))];
};
const [listenHost, listenPort] = split(listenArg);
const [targetHost, targetPort] = split(targetArg);
const delay = Number(delayArg);

/** Sends later, in arrival order (timers of one duration fire first in, first out). */
const later = (send) => setTimeout(send, delay);
const counts = { up: 0, down: 0 };

const front = createSocket('udp4');
/** One upstream socket per client address ("host:port"). */
const upstreams = new Map();

function upstreamFor(address, port) {
  const key = `${address}:${port}`;
  let up = upstreams.get(key);
  if (!up) {
    up = createSocket('udp4');
    up.on('message', (msg) => {
      counts.down++;
      later(() => front.send(msg, port, address));
    });
    up.on('error', () => {});
    up.bind(0, targetHost);
    upstreams.set(key, up);
  }
  return up;
}

front.on('message', (msg, from) => {
  counts.up++;
  const up = upstreamFor(from.address, from.port);
  later(() => up.send(msg, targetPort, targetHost));
});
// A send to a client that went away reports ICMP errors here: a network drops, it does not stop.
front.on('error', () => {});
front.bind(listenPort, listenHost, () => console.log('ready'));

process.on('SIGTERM', () => {
  console.log(`relayed ${counts.up} datagrams up, ${counts.down} down`);
  process.exit(0);
});

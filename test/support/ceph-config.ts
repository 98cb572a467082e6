// The ceph.conf of a throw-away single-node Ceph for the tests (radosgw.ts): one mon, one OSD,
// loopback only, no authentication, everything under one run directory. Each setting below is
// there because the cluster hangs, starts slowly or grows without it (docs: GOTCHAS.md, "Ceph
// radosgw as a test S3 server").
import { join } from 'node:path';

export interface CephConfigInput {
  dir: string;
  fsid: string;
  monPort: number;
  /** First port of the block the OSD binds its messengers in (public, cluster, two heartbeats). */
  msPortMin: number;
  msPortMax: number;
  objectStore: 'memstore' | 'bluestore';
}

/** The configuration file's text; radosgw's endpoint comes on its command line (see radosgw.ts). */
export function cephConfig(c: CephConfigInput): string {
  const lines = [
    '[global]',
    `fsid = ${c.fsid}`,
    `mon host = v2:127.0.0.1:${c.monPort}`,
    ...loopbackOnly(c),
    ...noAuthentication(),
    ...runDirectory(c.dir),
    ...objectStore(c.dir, c.objectStore),
    ...oneOsd(),
    // Pools are created one proposal at a time: with the 1 s default radosgw starts in ~12 s.
    'paxos propose interval = 0.01',
    'paxos min wait = 0.01',
    // A test machine with a fuller disk than 95 % must not stop the mon (default crit: 5 % free).
    'mon data avail crit = 0',
    // Deleted objects' data is otherwise freed after 2 h: memstore's RAM would only grow.
    'rgw gc obj min wait = 30',
  ];
  return lines.join('\n') + '\n';
}

function loopbackOnly(c: CephConfigInput): string[] {
  // Without addresses and a port range the OSD listens on 0.0.0.0 and on ports of its choosing.
  return [
    'public addr = 127.0.0.1',
    'cluster addr = 127.0.0.1',
    'ms bind msgr1 = false',
    `ms bind port min = ${c.msPortMin}`,
    `ms bind port max = ${c.msPortMax}`,
  ];
}

function noAuthentication(): string[] {
  return [
    'auth cluster required = none',
    'auth service required = none',
    'auth client required = none',
    // radosgw asks for a secure mon session by default, impossible without cephx: it would
    // retry for ever ("get_initial_auth_request returned -13").
    'ms mon client mode = crc secure',
  ];
}

function runDirectory(dir: string): string[] {
  // Nothing in /etc/ceph or /var/lib/ceph: two runs on one machine never meet.
  return [
    `run dir = ${dir}`,
    `admin socket = ${join(dir, '$name.asok')}`,
    `pid file = ${join(dir, '$name.pid')}`,
    `log file = ${join(dir, '$name.log')}`,
    `keyring = ${join(dir, 'keyring')}`,
    `mon data = ${join(dir, 'mon')}`,
    `osd data = ${join(dir, 'osd')}`,
    `rgw data = ${join(dir, 'rgw')}`,
  ];
}

function objectStore(dir: string, store: CephConfigInput['objectStore']): string[] {
  if (store === 'memstore') {
    // Objects in RAM; the "device" size is only what the OSD reports as capacity (full at 95 %).
    return ['osd objectstore = memstore', 'memstore device bytes = 4294967296'];
  }
  return [
    'osd objectstore = bluestore',
    // A sparse file beside (not inside) the OSD directory: bluestore links osd/block to it.
    `bluestore block path = ${join(dir, 'osd.block')}`,
    'bluestore block create = true',
    'bluestore block size = 10737418240',
    // Its smallest allowed value: the default (4 GiB) sizes caches for a production disk.
    'osd memory target = 939524096',
  ];
}

function oneOsd(): string[] {
  return [
    'osd pool default size = 1',
    'osd pool default min size = 1',
    'osd pool default pg num = 8',
    'osd pool default pgp num = 8',
    'osd pool default pg autoscale mode = off',
    'mon allow pool size one = true',
    'mon max pg per osd = 1000',
    // Replicas would be placed on distinct hosts; there is one.
    'osd crush chooseleaf type = 0',
  ];
}

import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BenchServer, ServerProcess } from './server-process';
import { freePorts, http, waitFor } from './net-util';
import { BENCH_AE, CONCURRENT_DESTINATION_AE, MoveDestinationPorts } from './pacs-server';

/** The reference server: the Debian Orthanc with its DICOMweb plugin, default settings. */
export interface OrthancInfo {
  binary: string;
  plugin: string;
}

/** Finds the Orthanc binary and the DICOMweb plugin installed by ensure-bench-deps.sh. */
export function locateOrthanc(): OrthancInfo {
  const binary = execFileSync('bash', ['-c', 'command -v Orthanc'], { encoding: 'utf8' }).trim();
  const files = execFileSync('dpkg', ['-L', 'orthanc-dicomweb'], { encoding: 'utf8' }).split('\n');
  // The package ships the versioned library and a symlink in the plugins folder; either loads.
  const plugin = files.find((f) => /\/plugins\/libOrthancDicomWeb\.so$/.test(f)) ?? files.find((f) => /libOrthancDicomWeb\.so/.test(f));
  if (!binary || !plugin) throw new Error('Orthanc or its DICOMweb plugin is not installed');
  return { binary, plugin };
}

function orthancConfig(dataDir: string, httpPort: number, dicomPort: number, plugin: string, destinations: MoveDestinationPorts): object {
  const rights = { AllowFind: true, AllowMove: true, AllowGet: true, AllowStore: true, AllowEcho: true };
  return {
    Name: 'bench-orthanc',
    StorageDirectory: path.join(dataDir, 'storage'),
    IndexDirectory: path.join(dataDir, 'index'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: 'ORTHANC',
    DicomCheckCalledAeTitle: false,
    RemoteAccessAllowed: true,
    AuthenticationEnabled: false,
    Plugins: [plugin],
    // The bench's SCU (C-FIND, C-GET) and its C-MOVE destinations (storescp). Orthanc has no
    // setting for more than one association per C-MOVE.
    DicomModalities: {
      bench: { AET: BENCH_AE, Host: '127.0.0.1', Port: destinations.serial, ...rights },
      ...(destinations.concurrent ? { benchpar: { AET: CONCURRENT_DESTINATION_AE, Host: '127.0.0.1', Port: destinations.concurrent, ...rights } } : {}),
    },
  };
}

async function pluginVersion(base: string): Promise<string> {
  const res = await http(`${base}/plugins/dicom-web`).catch(() => undefined);
  return res?.status === 200 ? (JSON.parse(res.body) as { Version: string }).Version : 'not loaded';
}

export interface StartedOrthanc extends BenchServer {
  version: string;
}

/**
 * Starts Orthanc on free loopback ports with a fresh storage and index under `dataDir`, and
 * resolves once `GET /system` answers.
 */
export async function startOrthanc(info: OrthancInfo, benchDir: string, dataDir: string, logFile: string, destinations: MoveDestinationPorts = { serial: 11119 }): Promise<StartedOrthanc> {
  const [httpPort, dicomPort] = await freePorts(2);
  const configDir = path.join(benchDir, 'orthanc');
  await fs.mkdir(dataDir, { recursive: true });
  const configFile = path.join(configDir, 'config.json');
  await fs.writeFile(configFile, JSON.stringify(orthancConfig(dataDir, httpPort, dicomPort, info.plugin, destinations), null, 2));
  const env = { ...process.env, TCP_NODELAY: '1' };
  const proc = new ServerProcess(info.binary, [configFile], env, logFile);
  const base = `http://127.0.0.1:${httpPort}`;
  let system: { Version: string };
  try {
    system = await waitFor(
      'Orthanc GET /system',
      async () => {
        const res = await http(`${base}/system`, {}, 2_000);
        return res.status === 200 ? (JSON.parse(res.body) as { Version: string }) : undefined;
      },
      30_000,
      () => (proc.hasExited ? `Orthanc exited (see ${proc.logFile})` : undefined),
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    aeTitle: 'ORTHANC',
    dimsePort: dicomPort,
    pid: proc.child.pid,
    web: { base: `${base}/dicom-web`, headers: {} },
    version: `${system.Version} (DICOMweb plugin ${await pluginVersion(base)})`,
    countInstances: async () => {
      const res = await http(`${base}/statistics`);
      if (res.status !== 200) throw new Error(`Orthanc /statistics answered ${res.status}`);
      return (JSON.parse(res.body) as { CountInstances: number }).CountInstances;
    },
    stop: () => proc.stop(),
  };
}

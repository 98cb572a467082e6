import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { busyTicksOfProcStat, CpuMeter, perInstance, processTicks, ticksOfStat } from './cpu-meter';

describe('CPU per instance from /proc', () => {
  it('takes utime and stime after the command, whatever the command holds', () => {
    const stat = '4242 (postgres: pacs (x) 1) S 1 4242 4242 0 -1 4194560 100 0 0 0 731 205 0 0 20 0 1 0 99 1000 10';
    assert.equal(ticksOfStat(stat), 731 + 205);
  });

  it('counts user, nice, system, irq and softirq as busy, not idle, iowait or steal', () => {
    const procStat = 'cpu  100 2 30 5000 400 6 7 800 0 0\ncpu0 50 1 15 2500 200 3 3 400 0 0\n';
    assert.equal(busyTicksOfProcStat(procStat), 100 + 2 + 30 + 6 + 7);
  });

  it('divides by the instances; a helper born during the run counts from zero, one that died is left out', () => {
    const before = { server: 1000, helpers: new Map([[11, 50], [12, 70]]), postgres: new Set([11, 12]), machine: 5000 };
    const after = { server: 1400, helpers: new Map([[11, 150], [13, 20]]), postgres: new Set([11, 13]), machine: 6000 };
    assert.deepEqual(perInstance(before, after, 200, 100), { serverMs: 20, helpersMs: 6, postgresMs: 6, machineMs: 50 });
  });

  it('tells PostgreSQL from worker processes among the helpers (PACS_WORKERS=2)', () => {
    const before = { server: 0, helpers: new Map([[21, 100], [22, 100], [30, 10]]), postgres: new Set([30]), machine: 0 };
    const after = { server: 20, helpers: new Map([[21, 500], [22, 300], [30, 210]]), postgres: new Set([30]), machine: 1000 };
    const cpu = perInstance(before, after, 100, 100);
    assert.equal(cpu.helpersMs, 80);
    assert.equal(cpu.postgresMs, 20);
  });

  it('measures a live process: this one, busy for a while', async () => {
    assert.ok(((await processTicks(process.pid)) ?? -1) >= 0);
    assert.equal(await processTicks(2 ** 22 + 1), undefined);
    const meter = await CpuMeter.start(process.pid);
    // Spin for 300 ms of this process's own CPU time, not of the clock: on a loaded machine
    // the clock runs on while the process waits for a core.
    const start = process.cpuUsage();
    while (process.cpuUsage(start).user < 300_000) Math.sqrt(Math.random());
    const cpu = await meter.stop(1);
    assert.ok(cpu.serverMs >= 200, `300 ms of spinning measured as ${cpu.serverMs} ms`);
    assert.ok(cpu.machineMs >= cpu.serverMs - 20, `machine ${cpu.machineMs} ms below the process's ${cpu.serverMs} ms`);
  });
});

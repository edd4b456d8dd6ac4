// `pnpm bench`: the seed's P-01..P-09 on loopback (the real distribution registry with token
// auth, and the simulator as `dhub serve`), each latency as a ratio to a bare undici request
// doing the same HTTP exchange; 256 MiB throughput of the client and `dhub` against
// `skopeo copy`, Node's SHA-256 speed, the standard ways to download a blob, and bare floors;
// copy within and across registries; repository scale (a multi-platform image, every tag, the
// unchanged re-run) against skopeo. `--only a,b` runs only the named suites (latency, throughput,
// copy, archives, startup, pullfloor, repository). One module per suite under suites/, shared pieces under
// lib/, the markdown in report.mjs.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { checkDownloadPaths, createClients } from './lib/clients.mjs';
import { closeNodeHttp } from './lib/http.mjs';
import { log } from './lib/measure.mjs';
import { OUT, P, only, smoke } from './lib/params.mjs';
import { startSimulatorProcess, toolVersion } from './lib/processes.mjs';
import { dockerConfigDir, startRegistry } from './registry.mjs';
import { markdown } from './report.mjs';
import { archivesSuite } from './suites/archives.mjs';
import { copySuite } from './suites/copy.mjs';
import { latencySuite } from './suites/latency.mjs';
import { pullFloorSuite } from './suites/pull-floor.mjs';
import { repositorySuite } from './suites/repository.mjs';
import { startupSuite } from './suites/startup.mjs';
import { throughputSuite } from './suites/throughput.mjs';

async function machine() {
  const [skopeo, registry] = await Promise.all([
    toolVersion('skopeo', 'skopeo ?'),
    toolVersion('docker-registry', 'docker-registry ?'),
  ]);
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    skopeo,
    registry,
    // other work on a shared machine moves absolute times; recorded to judge a run
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Two real registries and the simulator process, each stopped by a pushed cleanup. */
async function startTargets(cleanups) {
  const reg = await startRegistry();
  cleanups.push(reg.stop);
  const reg2 = await startRegistry();
  cleanups.push(reg2.stop);
  // The simulator runs in its own process (`dhub serve`), as a registry would: in the
  // benchmark's process it would share the client's thread and halve every number.
  const sim = await startSimulatorProcess();
  cleanups.push(() => sim.close());
  return { reg, reg2, sim: { url: sim.url, host: new URL(sim.url).host } };
}

const wanted = (name) => only === undefined || only.has(name);

async function runSuites(result, clients, work, targets) {
  const { reg, reg2 } = targets;
  if (wanted('latency')) await latencySuites(result, clients, work, targets);
  if (wanted('throughput')) {
    result.downloadPaths = await checkDownloadPaths(clients, reg.host);
    log('throughput vs skopeo');
    result.throughput = await throughputSuite(clients, work);
  }
  if (wanted('copy')) {
    log('copy');
    result.copy = await copySuite(reg, reg2, work);
  }
  if (wanted('archives')) {
    log('image archives vs skopeo');
    result.archives = await archivesSuite(reg, work);
  }
  if (wanted('startup')) {
    log('start-up cost per command vs skopeo');
    result.startup = await startupSuite(reg, work);
  }
  if (wanted('pullfloor')) {
    log('pull of 8 layers vs skopeo and a bare floor');
    result.pullFloor = await pullFloorSuite(work);
  }
  if (wanted('repository')) {
    log('repository scale vs skopeo');
    result.repository = await repositorySuite(reg, clients, work);
  }
}

async function latencySuites(result, clients, work, { reg, sim }) {
  log(`real registry ${reg.url}`);
  result.latency['real registry (docker-registry, token auth)'] = await latencySuite(
    reg,
    clients.client,
    work,
  );
  log(`simulator ${sim.url}`);
  result.latency['simulator (`dhub serve` process, loopback HTTP)'] = await latencySuite(
    sim,
    clients.client,
    work,
  );
}

async function writeResults(result) {
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = markdown(result);
  await writeFile(join(OUT, 'results.md'), md);
  process.stdout.write(md);
  log(`wrote ${join(OUT, 'results.json')} and results.md in ${result.durationSeconds} s`);
}

async function main() {
  const started = Date.now();
  const work = { dir: await mkdtemp(join(tmpdir(), 'bench-')) };
  const cleanups = [() => rm(work.dir, { recursive: true, force: true })];
  // Every client (in-process, dhub, skopeo --authfile) finds the registries' credentials here.
  process.env.DOCKER_CONFIG = await dockerConfigDir();
  cleanups.push(() => rm(process.env.DOCKER_CONFIG, { recursive: true, force: true }));
  const clients = createClients();
  work.bigChunk = clients.bigChunk;
  cleanups.push(() => clients.close(), closeNodeHttp);
  try {
    const targets = await startTargets(cleanups);
    const result = {
      date: new Date().toISOString(),
      smoke,
      params: P,
      machine: await machine(),
      latency: {},
    };
    await runSuites(result, clients, work, targets);
    result.durationSeconds = Math.round((Date.now() - started) / 1000);
    await writeResults(result);
  } finally {
    for (const c of cleanups.reverse())
      await Promise.resolve()
        .then(c)
        .catch((e) => log(`cleanup: ${e.message}`));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`bench failed: ${err?.stack ?? err}`);
    process.exit(1);
  },
);

// Loaded into a benchmark target with NODE_OPTIONS=--import=…/allocation-sampler.mjs by
// bench/allocations.ts. SIGUSR2 starts V8's sampling heap profiler, counting objects the
// garbage collector has already freed (a request's garbage is what it costs), and says so by
// creating SWITCHBOARD_ALLOCATION_PROFILE.started; the next SIGUSR2 writes the profile to
// SWITCHBOARD_ALLOCATION_PROFILE. Both appear whole (written aside, then renamed).
// With SWITCHBOARD_ALLOCATION_SURVIVORS set, objects freed by a young-generation collection are
// left out: the profile shows what survived one, the bytes that get promoted.
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const output = process.env.SWITCHBOARD_ALLOCATION_PROFILE;
if (output) {
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  const publish = (path, text) => {
    writeFileSync(`${path}.partial`, text);
    renameSync(`${path}.partial`, path);
  };
  let sampling = false;
  process.on('SIGUSR2', async () => {
    if (!sampling) {
      sampling = true;
      await post('HeapProfiler.enable');
      await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !process.env.SWITCHBOARD_ALLOCATION_SURVIVORS });
      publish(`${output}.started`, '');
      return;
    }
    sampling = false;
    const { profile } = await post('HeapProfiler.stopSampling');
    publish(output, JSON.stringify(profile));
  });
}

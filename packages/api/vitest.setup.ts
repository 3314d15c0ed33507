/**
 * Property tests run on a fixed seed, so a run is the same on every machine and a red one can be
 * replayed. PARLEY_FUZZ_SEED picks another seed (to explore, or to replay one), as it does for the
 * server's fuzz test. fast-check's failure message names the seed and the path of the
 * counterexample either way, and each test's name carries its seed.
 */
import fc from 'fast-check';

const DEFAULT_SEED = 20_240_519;
const requested = process.env.PARLEY_FUZZ_SEED;
const seed = requested === undefined || requested === '' ? DEFAULT_SEED : Number(requested);
if (!Number.isInteger(seed))
  throw new Error(`PARLEY_FUZZ_SEED must be an integer, not ${requested}`);

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });

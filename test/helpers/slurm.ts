import { execFileSync } from 'node:child_process';

/**
 * Whether a real Slurm cluster answers here (CI starts a one-node one with scripts/slurm-cluster.sh);
 * null when it does, else why not, for the skip message. With CONTRASTLAB_REQUIRE_SLURM=1 (CI) a missing
 * cluster is an error, so its tests never pass by skipping.
 */
export function slurmMissing(): string | null {
  const why = findWhySlurmIsMissing();
  if (why && process.env.CONTRASTLAB_REQUIRE_SLURM === '1') {
    throw new Error(`CONTRASTLAB_REQUIRE_SLURM=1 but ${why}`);
  }
  return why;
}

function findWhySlurmIsMissing(): string | null {
  try {
    const out = execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 10_000 });
    if (!/idle|mixed|allocated|completing/.test(out))
      return `the Slurm node is not up (sinfo: ${out.trim()})`;
    return null;
  } catch (e) {
    return `no Slurm cluster here (${(e as Error).message.split('\n')[0]}); start one with scripts/slurm-cluster.sh up`;
  }
}

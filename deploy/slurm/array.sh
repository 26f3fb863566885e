#!/bin/bash
# A nightly wasteroute batch as a Slurm job array: task k of N runs shard k
# (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) on a shared file system.
# See docs/batch.md.
#
#   sbatch --export=ALL,MANIFEST=/shared/city/nightly.toml,OUT=/shared/out/nightly deploy/slurm/array.sh
#   # then, once every task has ended (whatever their exit codes):
#   sbatch --dependency=afterany:<jobid> --wrap "wasteroute batch report /shared/city/nightly.toml --out /shared/out/nightly"
#
# Exit codes of a shard: 0 every district written (ok, a target missed, or
# violations); 2 bad input (not requeued: the same input fails again); 1
# internal failure (requeued); 143 SIGTERM, sent here 120 s before the time
# limit (requeued: the rerun resumes, keeping every finished district).
#
#SBATCH --job-name=wasteroute-nightly
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --signal=B:TERM@120
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=wasteroute-%A_%a.log

set -u
MANIFEST=${MANIFEST:?set MANIFEST to the batch manifest}
OUT=${OUT:?set OUT to the batch output folder}
WASTEROUTE=${WASTEROUTE:-wasteroute}
# Requeues of one task after exit code 1 or 143, at most.
MAX_REQUEUES=${MAX_REQUEUES:-2}

# The binary runs in the background so that this shell can pass Slurm's
# SIGTERM on to it (--signal=B: signals the batch shell only).
"$WASTEROUTE" batch run "$MANIFEST" --out "$OUT" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
wait "$pid"
code=$?
# `wait` returns early when the trap runs: wait for the binary's own code.
if kill -0 "$pid" 2>/dev/null; then
    wait "$pid"
    code=$?
fi

restarts=${SLURM_RESTART_COUNT:-0}
case $code in
    0)
        echo "shard ${SLURM_ARRAY_TASK_ID:-0}: done"
        ;;
    2)
        echo "shard ${SLURM_ARRAY_TASK_ID:-0}: bad input (see the bad_input status.json files); not requeued" >&2
        ;;
    1 | 130 | 143)
        if [ "$restarts" -lt "$MAX_REQUEUES" ]; then
            echo "shard ${SLURM_ARRAY_TASK_ID:-0}: exit code $code; requeued (restart $((restarts + 1)) of $MAX_REQUEUES)" >&2
            scontrol requeue "$SLURM_JOB_ID"
        else
            echo "shard ${SLURM_ARRAY_TASK_ID:-0}: exit code $code after $restarts requeues; giving up" >&2
        fi
        ;;
    *)
        echo "shard ${SLURM_ARRAY_TASK_ID:-0}: exit code $code" >&2
        ;;
esac
exit "$code"

#!/bin/bash
# The whole study on Slurm: three job arrays, each stage waiting for the one before.
#
#   STUDY=/shared/runs/paper bash examples/slurm/paper.sh
#
# Sizes come from the plan (describe paper-cifar --plan): 14 training tasks, and per trained
# seed a CIFAR-C task plus FOURIER_SHARDS Fourier tasks. Edit the #SBATCH-like options below for
# your cluster. A task that failed is rerun with its index alone, e.g.
#   sbatch --array=5 --export=ALL,STAGE=eval,N=$EVAL_TASKS examples/slurm/paper-task.sbatch
set -euo pipefail
cd "$(dirname "$0")/../.."
STUDY=${STUDY:-/shared/runs/paper}
FOURIER_SHARDS=${FOURIER_SHARDS:-8}
PRESET=${PRESET:-paper-cifar}
export STUDY FOURIER_SHARDS PRESET

# How many tasks each stage has, from the plan (nothing runs).
count() {
  node bin/fourier-augmix.js describe "$PRESET" fourierShards="$FOURIER_SHARDS" out="$STUDY" --plan \
    | sed -n "s/^stage=$1: \([0-9]*\) task.*/\1/p"
}
TRAIN_TASKS=$(count train)
EVAL_TASKS=$(count eval)

submit() { # stage, tasks, resources..., prints the job id
  local stage=$1 n=$2
  shift 2
  sbatch --parsable --job-name="paper-$stage" --array="0-$((n - 1))" --export=ALL,STAGE="$stage",N="$n" "$@" \
    examples/slurm/paper-task.sbatch
}
train=$(submit train "$TRAIN_TASKS" --gres=gpu:1 --cpus-per-task=8 --mem=32G --time=2-00:00:00)
eval=$(submit eval "$EVAL_TASKS" --dependency=afterok:"$train" --gres=gpu:1 --cpus-per-task=4 --mem=16G --time=1-00:00:00)
report=$(submit report 1 --dependency=afterok:"$eval" --cpus-per-task=1 --mem=4G --time=1:00:00)
echo "train $train ($TRAIN_TASKS tasks), eval $eval ($EVAL_TASKS tasks), report $report: squeue -u $USER"

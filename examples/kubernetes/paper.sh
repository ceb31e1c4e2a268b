#!/bin/bash
# The whole study on Kubernetes with one command: the three Indexed Jobs, each applied once the
# one before has completed. Safe to run again after a failure: a finished stage's tasks redo
# nothing (delete its Job first: kubectl delete job paper-<stage>).
set -euo pipefail
cd "$(dirname "$0")"
for stage in train eval report; do
  kubectl apply -f "paper-$stage.yaml"
  kubectl wait --for=condition=complete "job/paper-$stage" --timeout=-1s
done
echo "report: /runs/paper/report/report.md on the runs volume"

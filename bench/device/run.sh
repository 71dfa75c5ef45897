#!/usr/bin/env bash
# The one prepared script for a GPU machine (no network, probably no .NET SDK there).
#
#   bench/device/run.sh prepare            here: publish the console host self-contained into
#                                          bench/device/payload with the ML-1M explicit split
#   bench/device/run.sh run [BACKEND] [SCALE]
#                                          there (or here, to rehearse): devices, selftest of every kernel,
#                                          SGD throughput on netflix-like data and ALS seconds per iteration
#                                          on ml20m-like data at SCALE (default 1), and ML-1M quality on
#                                          BACKEND next to the CPU backend; writes results.md to $OUT (or
#                                          bench/device/out)
#
# BACKEND defaults to cuda; rehearse on a CPU machine with `run ilgpu-cpu 0.0005` (quality then on ML-100K).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
payload="$here/payload"
phase="${1:-run}"

if [ "$phase" = prepare ]; then
  root="$(cd "$here/../.." && pwd)"
  data="${GPUMF_DATA:?set GPUMF_DATA to the folder holding splits/}"
  rm -rf "$payload"
  dotnet publish "$root/src/GpuMF.Cli/GpuMF.Cli.csproj" -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none -o "$payload" >/dev/null
  mkdir -p "$payload/splits"
  cp "$data"/splits/ml1m_explicit_*.tsv "$data"/splits/ml100k_explicit_*.tsv "$payload/splits/"
  du -sh "$payload"
  exit 0
fi

backend="${2:-cuda}"
scale="${3:-1}"
out="${OUT:-$here/out}"
mkdir -p "$out"
gpumf="$payload/GpuMF.Cli"
[ -x "$gpumf" ] || { echo "no published host at $gpumf: run '$0 prepare' first" >&2; exit 1; }
report="$out/results.md"
log="$out/run.log"
: >"$log"
step() { echo "## $1" | tee -a "$log"; }

{
  echo "# GpuMF device run"
  echo
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); host: $(uname -n); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); cores: $(nproc)"
  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)"
  fi
  echo
} >"$report"

step "devices"
{ echo '```'; "$gpumf" devices 2>&1 | tee -a "$log"; echo '```'; echo; } >>"$report" || true

step "selftest on $backend"
{ echo '```'; "$gpumf" selftest --backend "$backend" 2>&1 | tee -a "$log"; echo '```'; echo; } >>"$report" || true

step "SGD throughput, netflix-like x $scale, 64 factors"
{
  echo "| backend | ratings | first epoch s | steady epoch s | updates/s | target |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for b in "$backend" cpu; do
    line="$("$gpumf" bench --preset netflix-like --scale "$scale" --epochs 3 --backend "$b" 2>>"$log" | tail -1)" || line=""
    echo "$line" >>"$log"
    if [ -n "$line" ]; then
      echo "$line" | sed -E 's/.*"backend":"([^"]*)".*"ratings":([0-9]+).*"first_epoch_seconds":([0-9.eE+-]+).*"steady_epoch_seconds":([0-9.eE+-]+).*"updates_per_second":([0-9.eE+-]+).*/| \1 | \2 | \3 | \4 | \5 | ≥ 1e9 on a GPU |/'
    else
      echo "| $b | failed: see run.log | | | | |"
    fi
  done
  echo
} >>"$report"

step "ALS seconds per iteration, ml20m-like x $scale, 64 factors, conjugate gradient"
{
  echo "| backend | positives | first iteration s | steady iteration s | target |"
  echo "| --- | --- | --- | --- | --- |"
  # ml20m-like keeps all 26,744 items at any scale: too many for the simulated warps of ilgpu-cpu,
  # whose ALS kernels the selftest above already covers.
  als_backends="$backend cpu"
  [ "$backend" = ilgpu-cpu ] && als_backends=cpu
  for b in $als_backends; do
    line="$("$gpumf" bench --model als --preset ml20m-like --scale "$scale" --epochs 3 --backend "$b" 2>>"$log" | tail -1)" || line=""
    echo "$line" >>"$log"
    if [ -n "$line" ]; then
      echo "$line" | sed -E 's/.*"backend":"([^"]*)".*"ratings":([0-9]+).*"first_epoch_seconds":([0-9.eE+-]+).*"steady_epoch_seconds":([0-9.eE+-]+).*/| \1 | \2 | \3 | \4 | ≤ 0.05 s on a GPU |/'
    else
      echo "| $b | failed: see run.log | | | |"
    fi
  done
  echo
} >>"$report"

# The CPU accelerator simulates warps with threads (about 20K updates/s): rehearse on ML-100K there.
split=ml1m_explicit
epochs=30
if [ "$backend" = ilgpu-cpu ]; then
  split=ml100k_explicit
  epochs=3
fi
step "$split split, $epochs epochs: quality on $backend and cpu"
{
  echo "| backend | RMSE | train s |"
  echo "| --- | --- | --- |"
  for b in "$backend" cpu; do
    line="$("$gpumf" evaluate --model svd --train "$payload/splits/${split}_train.tsv" --test "$payload/splits/${split}_test.tsv" --backend "$b" --epochs "$epochs" --json 2>>"$log" | tail -1)" || line=""
    echo "$line" >>"$log"
    if [ -n "$line" ]; then
      echo "$line" | sed -E 's/.*"backend":"([^"]*)".*"train_seconds":([0-9.eE+-]+).*"rmse":([0-9.eE+-]+).*/| \1 | \3 | \2 |/'
    else
      echo "| $b | failed: see run.log | |"
    fi
  done
} >>"$report"

cat "$report"

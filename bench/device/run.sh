#!/usr/bin/env bash
# The one prepared script for a GPU machine (no network, probably no .NET SDK there).
#
#   bench/device/run.sh prepare            here: publish the console host self-contained into
#                                          bench/device/payload with the ML-1M and ML-100K splits (gzipped)
#                                          and the commit it was built from (payload/COMMIT)
#   bench/device/run.sh run [BACKEND] [SCALE]
#                                          there (or here, to rehearse): devices; selftest of every kernel
#                                          against the CPU backend; every model's throughput on synthetic data
#                                          at SCALE (default 1) — netflix-like SGD updates/s, ml20m-like ALS
#                                          s/iteration, BPR/WARP samples/s, RecommendAll time — the blocked
#                                          and fused top-N kernels side by side (top 10/100/1000 and a 1M × 1M
#                                          catalogue, with achieved TFLOP/s), and every
#                                          model's ML-1M quality, each on BACKEND beside the CPU backend and
#                                          the bench/PEERS.md target; writes results.md and run.log to $OUT (or
#                                          bench/device/out). Each step has its own time limit and the whole
#                                          run stops starting steps after BUDGET seconds (default 480).
#
# BACKEND defaults to cuda; rehearse on a CPU machine with `run ilgpu-cpu 0.0005` (the CPU accelerator
# simulates warps with threads: quality then on ML-100K with fewer epochs, ALS and RecommendAll on the CPU
# backend only, their kernels being covered by the selftest; of the top-N kernels, the fused one at top 10
# and 100 on 100 users only, and no 1M × 1M run).
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
  # The commit every figure of a run comes from, marked when the tree held changes not committed.
  commit="$(git -C "$root" rev-parse HEAD)"
  [ -n "$(git -C "$root" status --porcelain)" ] && commit="$commit (with uncommitted changes)"
  echo "$commit" >"$payload/COMMIT"
  for f in "$data"/splits/ml1m_*.tsv "$data"/splits/ml100k_*.tsv; do
    gzip -9 -c "$f" >"$payload/splits/$(basename "$f").gz"
  done
  du -sh "$payload"
  exit 0
fi

backend="${2:-cuda}"
scale="${3:-1}"
budget="${BUDGET:-480}"
out="${OUT:-$here/out}"
mkdir -p "$out"
gpumf="$payload/GpuMF.Cli"
[ -x "$gpumf" ] || { echo "no published host at $gpumf: run '$0 prepare' first" >&2; exit 1; }
splits="$(mktemp -d)"
trap 'rm -rf "$splits"' EXIT
for f in "$payload"/splits/*.tsv.gz; do gunzip -c "$f" >"$splits/$(basename "$f" .gz)"; done
report="$out/results.md"
log="$out/run.log"
: >"$log"
start=$SECONDS

# run LIMIT CMD…: the command's stdout, with at most LIMIT seconds and never past the budget; stderr to the log.
run() {
  local limit=$1; shift
  local left=$((budget - (SECONDS - start)))
  if [ "$left" -lt 15 ]; then echo "skipped (budget of ${budget}s spent): $*" >>"$log"; return 1; fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo "+ [$((SECONDS - start))s] $*" >>"$log"
  timeout -k 5 "$limit" "$@" 2>>"$log" | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 124 ] && echo "timed out after ${limit}s" >>"$log"
  return "$rc"
}
section() { echo "## $1" | tee -a "$log"; printf '\n### %s\n\n' "$1" >>"$report"; }
# field JSON KEY: one value of a flat JSON line (fractions and large rates rounded to 4 significant digits).
field() { echo "$1" | sed -nE "s/.*\"$2\":\"([^\"]*)\".*/\1/p; t; s/.*\"$2\":([^,}]*).*/\1/p" | awk '{ if ($1 ~ /^-?[0-9]+$/ && length($1) < 9) printf "%s", $1; else if ($1 ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) printf "%.4g", $1; else printf "%s", $0 }'; }

{
  echo "# GpuMF device run"
  echo
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); cores: $(nproc); memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader | head -1)"
  fi
  echo "command: bench/device/run.sh run $backend $scale"
  echo "commit: $(cat "$payload/COMMIT" 2>/dev/null || echo "unknown (payload prepared before commits were stamped)")"
} >"$report"

section "devices"
{ echo '```'; run 60 "$gpumf" devices || true; echo '```'; } >>"$report"

section "selftest on $backend (every kernel against the CPU backend)"
{ echo '```'; run 240 "$gpumf" selftest --backend "$backend" || echo "selftest failed or timed out: see run.log"; echo '```'; } >>"$report"

# bench MODEL PRESET BACKENDS LIMIT TARGET: one table row per backend from `gpumf bench`.
bench() {
  local model=$1 preset=$2 backends=$3 limit=$4 target=$5 line
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    if [ -n "$(field "$line" error)" ]; then
      echo "| $(field "$line" backend) | $(field "$line" ratings) | failed: $(field "$line" error) | | | | |"
    else
      local negatives score first steady rate; negatives="$(field "$line" negatives_per_sample)"; score="$(field "$line" score_kernel_seconds)"
      # Training reports epochs and updates per second; RecommendAll reports calls and users per second.
      first="$(field "$line" first_epoch_seconds)"; first="${first:-$(field "$line" first_call_seconds)}"
      steady="$(field "$line" steady_epoch_seconds)"; steady="${steady:-$(field "$line" steady_call_seconds)}"
      rate="$(field "$line" updates_per_second)"; rate="${rate:-$(field "$line" users_per_second)}"
      echo "| $(field "$line" backend) | $(field "$line" ratings) | $first | $steady${score:+ (kernels timed apart: score $score s, select $(field "$line" select_kernel_seconds) s, rest $(field "$line" other_device_seconds) s)} | $rate${negatives:+ (× $negatives negatives scored)} | $(field "$line" peak_host_mib) | $target |"
    fi
  done < <(run "$limit" "$gpumf" bench --model "$model" --preset "$preset" --scale "$scale" --epochs 3 --backend "$backends" || true)
}
header() { echo "| backend | $1 | first $2 s | steady $2 s | $3 | peak host MiB | target (bench/PEERS.md) |"; echo "| --- | --- | --- | --- | --- | --- | --- |"; }
# ALS and RecommendAll keep all 26,744 ml20m-like items at any scale: too many for the CPU accelerator.
heavy="$backend,cpu"
[ "$backend" = ilgpu-cpu ] && heavy=cpu

section "SGD (SVD), netflix-like × $scale, 64 factors"
{ header ratings epoch "updates/s"; bench svd netflix-like "$backend,cpu" 200 "≥ 1e9 updates/s on a GPU"; } >>"$report"
section "ALS (conjugate gradient), ml20m-like × $scale, 64 factors"
{ header positives iteration "positives/s"; bench als ml20m-like "$heavy" 120 "≤ 0.05 s per iteration on a GPU"; } >>"$report"
section "BPR, ml20m-like × $scale, 64 factors"
{ header positives epoch "samples/s"; bench bpr ml20m-like "$backend,cpu" 120 "≥ 5e8 samples/s on a GPU"; } >>"$report"
section "WARP, ml20m-like × $scale, 64 factors"
{ header positives epoch "samples/s"; bench warp ml20m-like "$backend,cpu" 120 "report samples/s and negatives scored/s"; } >>"$report"
section "RecommendAll (top 10, seen excluded), ml20m-like × $scale, 64 factors"
{ header "seen items" call "users/s"; bench recommend ml20m-like "$heavy" 120 "≤ 0.05 s per call on a GPU"; } >>"$report"

# topn PRESET N KERNEL LIMIT: one table row from `gpumf bench --model recommend` on BACKEND with that top-N
# kernel. Achieved TFLOP/s is 2·users·items·factors (every score's multiply-adds) over the kernels' seconds,
# timed apart in a pass that waits for each launch, and over the best scoring call's (uploads of the query
# rows, downloads and id mapping of the lists included, the scorer's set-up not).
tflops() { awk -v u="$1" -v i="$2" -v k="$3" -v s="$4" 'BEGIN { if (s > 0) printf "%.3g", 2 * u * i * k / s / 1e12; else printf "n/a" }'; }
topn() {
  local preset=$1 n=$2 kernel=$3 limit=$4 line users items factors kernels call
  line="$(run "$limit" "$gpumf" bench --model recommend --preset "$preset" --scale "$scale" --n "$n" --kernel "$kernel" --epochs 2 --backend "$backend" | tail -1 || true)"
  if [ -z "$line" ] || [ -n "$(field "$line" error)" ]; then
    echo "| $kernel | $n | $preset | failed: see run.log | | | | |"
    return
  fi
  users="$(field "$line" users)"; items="$(field "$line" items)"; factors="$(field "$line" factors)"
  kernels="$(awk -v a="$(field "$line" score_kernel_seconds)" -v b="$(field "$line" select_kernel_seconds)" 'BEGIN { printf "%.4g", a + b }')"
  call="$(field "$line" score_seconds)"
  echo "| $kernel | $n | $users × $items | $(field "$line" steady_call_seconds) (set-up $(field "$line" setup_seconds), scoring $call) | $kernels ($(field "$line" score_kernel_seconds) + $(field "$line" select_kernel_seconds)) | $(tflops "$users" "$items" "$factors" "$kernels") | $(tflops "$users" "$items" "$factors" "$call") | $(field "$line" peak_host_mib) |"
}
section "Top-N kernels on $backend: blocked (the default) and fused, RecommendAll, seen excluded, 64 factors"
{
  echo "| kernel | N | users × items | steady call s | kernels s (score + select) | TFLOP/s, kernels | TFLOP/s, scoring call | peak host MiB |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  if [ "$backend" = ilgpu-cpu ]; then
    topn ml20m-like 10 fused 240
    topn ml20m-like 100 fused 240
  else
    for n in 10 100 1000; do
      for kernel in blocked fused; do topn ml20m-like "$n" "$kernel" 180; done
    done
    for kernel in fused blocked; do topn square-1m 10 "$kernel" 300; done
  fi
  echo
  [ "$backend" = ilgpu-cpu ] && echo "Only the fused kernel at top 10 and 100 on the CPU accelerator, whose blocked kernels take minutes per call at 26,744 items."
  echo "ml20m-like × $scale and square-1m × $scale (1M × 1M at scale 1). Blocked: score = the score-block launches, select = the top-N"
  echo "launches. Fused: score = the fused kernel (scoring and selection), select = the merge of each row's slices. Target (issue 19):"
  echo "top 10 on ml20m-like ≤ 0.02 s on one H200, ≥ 30% of FP32 peak."
} >>"$report"

# quality MODEL SPLIT EXTRA…: one table row per backend from `gpumf evaluate --json`.
quality() {
  local model=$1 split=$2 b line; shift 2
  for b in "$backend" cpu; do
    line="$(run 120 "$gpumf" evaluate --model "$model" --train "$splits/${split}_train.tsv" --test "$splits/${split}_test.tsv" --backend "$b" --json "$@" | tail -1 || true)"
    if [ -z "$line" ]; then
      echo "| $model | $b | failed: see run.log | | | |"
    elif [ "$model" = svd ]; then
      echo "| $model | $b | RMSE $(field "$line" rmse) | MAE $(field "$line" mae) | | $(field "$line" train_seconds) |"
    else
      echo "| $model | $b | P@10 $(field "$line" 'precision@10') | NDCG@10 $(field "$line" 'ndcg@10') | AUC $(field "$line" auc_full) | $(field "$line" train_seconds) |"
    fi
  done
}
if [ "$backend" = ilgpu-cpu ]; then
  section "ML-100K quality (short runs): $backend beside cpu, same options"
  { echo "| model | backend | metric | metric | metric | train s |"; echo "| --- | --- | --- | --- | --- | --- |"
    quality svd ml100k_explicit --epochs 3; quality bpr ml100k_implicit --epochs 1; quality warp ml100k_implicit --epochs 1; } >>"$report"
else
  section "ML-1M quality with GpuMF's defaults: $backend beside cpu"
  { echo "| model | backend | metric | metric | metric | train s |"; echo "| --- | --- | --- | --- | --- | --- |"
    quality svd ml1m_explicit; quality als ml1m_implicit; quality bpr ml1m_implicit; quality warp ml1m_implicit; } >>"$report"
fi

echo >>"$report"
echo "total: $((SECONDS - start)) s" >>"$report"
cat "$report"

#!/usr/bin/env bash
# The GPU backend on an NVIDIA GPU, in one prepared run (issue 17): parity on CUDA, then the GPU benchmark.
#
#   scripts/device-check.sh pack   here (the .NET SDK): bench/Bench published self-contained and trimmed
#                                  (the GPU machine has no .NET and no network), with the fixture models,
#                                  into .device/ (git-ignored; under the device tool's 64 MiB with the tree)
#   scripts/device-check.sh        on the GPU machine: `bench gpu` on CUDA, which measures
#                                    - device copy bandwidth, prefill GFLOP/s of a ~1.1B Llama (BF16),
#                                    - decode ms/step at batch 1/8/32 against the weight-streaming bound,
#                                    - a PaDeLLM request: prefix tree against naive decoding,
#                                  then checks parity on the device: both fixture models' logits against
#                                  golden.json (2e-4) and their greedy tokens (exact); a PaDeLLM request on
#                                  models/conll03-en, gpu against cpu backend (same entities, probabilities
#                                  within 1e-4); and writes gpu.md to $OUT (else docs/bench/).
# With the device tool: run(command="scripts/device-check.sh", carry=[".device"], timeout_s=540);
# then copy the returned gpu.md to docs/bench/gpu.md (gpu-parity.md: the parity checks alone, run first).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "pack" ]]; then
  grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
  rm -rf .device && mkdir -p .device/stage
  # Trimming keeps whole any assembly not marked trimmable (ILGPU, ours); warnings are not errors here.
  dotnet publish bench/Bench/Bench.csproj -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true \
    -p:TrimMode=partial -p:SuppressTrimAnalysisWarnings=true -p:TreatWarningsAsErrors=false -p:DebugType=None \
    -o .device/stage/bench --nologo -v q
  cp -r "${PADELLM_SHARED:-../shared}/fixtures/models" .device/stage/fixtures
  tar -C .device/stage -cJf .device/device-check.tar.xz .
  rm -rf .device/stage
  du -sh .device/device-check.tar.xz
  exit 0
fi

[[ -f .device/device-check.tar.xz ]] \
  || { echo "no .device/device-check.tar.xz: run 'scripts/device-check.sh pack' here first" >&2; exit 2; }
nvidia-smi -L || { echo "no NVIDIA GPU on this machine" >&2; exit 2; }
work=/tmp/padellm-device-check && rm -rf "$work" && mkdir -p "$work"
tar -C "$work" -xJf .device/device-check.tar.xz
out="${OUT:-docs/bench}" && mkdir -p "$out"
peak=""
if nvidia-smi -L | grep -Eq 'H100|H200'; then peak="--peak-tflops 989"; fi  # dense BF16, the data sheet's
# Parity first and on its own, bounded: a benchmark that fails or overruns still leaves the parity verdict.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1  # the image may lack libicu; nothing here is culture-bound
bench=("$work/bench/PaDeLLM.Bench" gpu --fixtures "$work/fixtures" --model models/conll03-en)
set +e
mkdir -p "$work/parity" && timeout "${PARITY_SECONDS:-150}" "${bench[@]}" --parity-only --out "$work/parity"
parity=$?
[[ -f "$work/parity/gpu.md" ]] && cp "$work/parity/gpu.md" "$out/gpu-parity.md"
timeout "${BENCH_SECONDS:-300}" "${bench[@]}" $peak --out "$work"
status=$?
set -e
[[ -f "$work/gpu.md" ]] && cp "$work/gpu.md" "$out/gpu.md"
echo "parity exit $parity, benchmark exit $status"
(( parity == 0 )) && exit $status || exit $parity

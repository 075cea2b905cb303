#!/usr/bin/env bash
# Reproduces every number in docs/results/README.md.
#   docs/results/reproduce.sh train   # the six training runs (hours on 2 cores)
#   docs/results/reproduce.sh eval    # dev evaluation of every run -> docs/results/summaries, predictions
#   docs/results/reproduce.sh plots   # loss curves and latency distributions
# Runs live in runs/ (ignored by git). Each training run uses one core (DOTNET_PROCESSOR_COUNT=1:
# the trainer gains nothing from a second core at this model size, so two runs at once use the
# machine fully); set JOBS=1 to run them one after another.
set -euo pipefail
cd "$(dirname "$0")/../.."
R=runs C=docs/results/configs S=docs/results/summaries
dotnet build -c Release src/Cli -v q -nologo >/dev/null
dotnet build -c Release bench/Bench -v q -nologo >/dev/null
P=src/Cli/bin/Release/net10.0/padellm
B=bench/Bench/bin/Release/net10.0/PaDeLLM.Bench
mkdir -p "$R" "$S"
one() { DOTNET_PROCESSOR_COUNT=1 "$P" "$@"; }

train_conll03() {
  # The same config (3.7M-parameter Llama, 2,000-piece tokenizer trained on the PaDeLLM
  # examples, 4,500 steps x 16 rows, cosine schedule) for all three formats; each is also
  # kept at step 2,000 (same schedule, stopped there) as a second, smaller budget.
  local cfg=$C/conll03-padellm-v2k.json
  for f in padellm struct aug; do
    local tok=(); [ "$f" = padellm ] || tok=(--tokenizer "$R/conll03-padellm-v2k-step2000")
    one train --dataset conll03 --format "$f" --config "$cfg" "${tok[@]}" --out "$R/conll03-$f-v2k" --until-step 2000 --resume
    rm -rf "$R/conll03-$f-v2k-step2000" && cp -r "$R/conll03-$f-v2k" "$R/conll03-$f-v2k-step2000"
    one train --dataset conll03 --format "$f" --config "$cfg" "${tok[@]}" --out "$R/conll03-$f-v2k" --resume
  done
}

train_resume() {
  local cfg=$C/resume-v3k.json
  one train --dataset resume --format padellm --config "$cfg" --out "$R/resume-padellm-v3k" --resume
  for f in struct aug; do
    one train --dataset resume --format "$f" --config "$cfg" --tokenizer "$R/resume-padellm-v3k" --out "$R/resume-$f-v3k" --resume
  done
}

# eval DATASET RUN NAME MODE [FORMAT] [--out FILE]: the summary JSON goes to summaries/NAME.json
ev() {
  local ds=$1 run=$2 name=$3 mode=$4; shift 4
  local fmt=(); if [ "$mode" = autoreg ]; then fmt=(--format "$1"); shift; fi
  "$P" eval --model "$run" --dataset "$ds" --mode "$mode" "${fmt[@]}" --json "$@" > "$S/$name.json"
  echo "$name: $(tr -d '\n ' < "$S/$name.json")"
}

evaluate() {
  # Latency is measured here with nothing else running and both cores available to the engine.
  for step in step2000 final; do
    local sfx=; [ $step = final ] || sfx=-$step
    local out=(); local outm=(); local outs=(); local outa=()
    if [ $step = final ]; then
      out=(--out docs/results/conll03-padellm-dev-batch.json); outm=(--out docs/results/conll03-padellm-dev-multi.json)
      outs=(--out docs/results/conll03-struct-dev.json); outa=(--out docs/results/conll03-aug-dev.json)
    fi
    ev conll03 "$R/conll03-padellm-v2k$sfx" "conll03-padellm-$step-batch" batch "${out[@]}"
    ev conll03 "$R/conll03-padellm-v2k$sfx" "conll03-padellm-$step-multi" multi "${outm[@]}"
    ev conll03 "$R/conll03-struct-v2k$sfx" "conll03-struct-$step" autoreg struct "${outs[@]}"
    ev conll03 "$R/conll03-aug-v2k$sfx" "conll03-aug-$step" autoreg aug "${outa[@]}"
  done
  ev resume "$R/resume-padellm-v3k" resume-padellm-batch batch --out docs/results/resume-padellm-dev-batch.json
  ev resume "$R/resume-padellm-v3k" resume-padellm-multi multi --out docs/results/resume-padellm-dev-multi.json
  ev resume "$R/resume-struct-v3k" resume-struct autoreg struct --out docs/results/resume-struct-dev.json
  ev resume "$R/resume-aug-v3k" resume-aug autoreg aug --out docs/results/resume-aug-dev.json
}

plots() {
  for ds in conll03:v2k resume:v3k; do
    local d=${ds%%:*} v=${ds##*:}
    for f in padellm struct aug; do cp "$R/$d-$f-$v/train_log.jsonl" "docs/results/$d-$f-train_log.jsonl"; done
    "$B" plot-loss "PaDeLLM=docs/results/$d-padellm-train_log.jsonl" "AutoReg_Struct=docs/results/$d-struct-train_log.jsonl" "AutoReg_Aug=docs/results/$d-aug-train_log.jsonl" --out "docs/results/$d-loss.svg"
  done
  "$B" plot-latency "PaDeLLM batch=docs/results/conll03-padellm-dev-batch.json" "PaDeLLM multi=docs/results/conll03-padellm-dev-multi.json" "AutoReg_Struct=docs/results/conll03-struct-dev.json" "AutoReg_Aug=docs/results/conll03-aug-dev.json" --out docs/results/conll03-latency.svg
  "$B" plot-latency "PaDeLLM batch=docs/results/resume-padellm-dev-batch.json" "PaDeLLM multi=docs/results/resume-padellm-dev-multi.json" "AutoReg_Struct=docs/results/resume-struct-dev.json" "AutoReg_Aug=docs/results/resume-aug-dev.json" --out docs/results/resume-latency.svg
}

case "${1:-all}" in
  train) if [ "${JOBS:-2}" = 1 ]; then train_conll03; train_resume; else train_conll03 & train_resume; wait; fi ;;
  eval) evaluate ;;
  plots) plots ;;
  all) "$0" train; "$0" eval; "$0" plots ;;
  *) echo "usage: $0 train|eval|plots|all" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Reproduces every number in docs/results/README.md.
#   docs/results/reproduce.sh train   # the six training runs (hours on 2 cores)
#   docs/results/reproduce.sh levers  # CoNLL-2003 lever runs (copy-aligned tokenizer, prompt loss), the shipped model
#   docs/results/reproduce.sh eval    # dev evaluation of every run -> docs/results/summaries, predictions
#   docs/results/reproduce.sh plots   # loss curves and latency distributions
#   docs/results/reproduce.sh models  # conll03-en's 2nd and 3rd cycles (shipped: their mean); Resume alone, with dropout
#   docs/results/reproduce.sh eval-models  # their dev scores, mentions copied and free; plots
#   docs/results/reproduce.sh count-bias   # count calibration on the shipped CoNLL-2003 model
#   docs/results/reproduce.sh repeats      # repeats decoded again, on both shipped models
#   docs/results/reproduce.sh wide         # a wider, deeper CoNLL-2003 model (hours; resumable)
#   docs/results/reproduce.sh wide-aug     # the shipped conll03-en: wide AutoReg_Aug, then padellm+aug (hours)
#   docs/results/reproduce.sh zh           # Resume after MSRA: MSRA + Resume, then Resume alone, then Resume padellm+aug
#   docs/results/reproduce.sh zh-wide      # the Chinese model at the wide shape, stage 1 (hours; resumable)
#   docs/results/reproduce.sh replace      # Resume's stage 3 with mention replacement (after zh)
#   docs/results/reproduce.sh grow         # that model grown to the wide shape, one more cycle (after replace)
#   docs/results/reproduce.sh grow-msra    # the grown model reads MSRA again, then Resume (after replace; hours)
#   docs/results/reproduce.sh grow-msra2   # a second MSRA stage, Resume again, the soup of three (after grow-msra)
#   docs/results/reproduce.sh grow-msra3   # a third MSRA stage from the shipped soup, Resume again (after grow-msra2)
#   docs/results/reproduce.sh latency-shipped  # Struct at the shipped shape: latency beside the shipped models
#   docs/results/reproduce.sh gold-counts  # the shipped models with their own and with the gold counts
#   docs/results/reproduce.sh joined       # the shipped Resume model trained on, with sentences joined and without
#   docs/results/reproduce.sh bidir        # the shipped Resume model trained on, its text read bidirectionally or not
#   docs/results/reproduce.sh bidir-msra   # the text read bidirectionally from an MSRA stage on, then Resume
#   docs/results/reproduce.sh bidir-msra6  # two more seeds from bidir-msra's stage and the soup of six (after bidir-msra)
#   docs/results/reproduce.sh bidir-more   # bidir-msra's stage with Weibo, Youku and Ecommerce too, then Resume
#   docs/results/reproduce.sh bidir-long   # bidir-msra's stage for 1,500 steps, then Resume
#   docs/results/reproduce.sh long-recipes # from bidir-long's stage: four copies; unseen characters; soup of 6
#   docs/results/reproduce.sh long-deep    # bidir-long's stage grown to 8 layers, then Resume
#   docs/results/reproduce.sh long-seeds8  # two more seeds from bidir-long's stage, the soup of 8 (after long-recipes)
#   docs/results/reproduce.sh deep-stage   # long-deep's 8 layers read MSRA + Resume, then Resume (after long-deep)
#   docs/results/reproduce.sh table3       # AutoReg_Struct and _Aug with the shipped models' levers and schedules
#   docs/results/reproduce.sh from-aug     # PaDeLLM on CoNLL-2003 from AutoReg_Aug's weights (after table3)
#   docs/results/reproduce.sh mixed        # the shipped CoNLL-2003 model: padellm+aug from Aug's weights (after table3)
# Runs live in runs/ (ignored by git). Each training run uses one core (DOTNET_PROCESSOR_COUNT=1:
# the trainer gains nothing from a second core at this model size, so two runs at once use the
# machine fully); set JOBS=1 to run them one after another.
set -euo pipefail
cd "$(dirname "$0")/../.."
R=runs C=docs/results/configs S=docs/results/summaries
# The Chinese model shipped in sessions 17-24 (87.03, grow-msra2's soup of three): the start of the stages after it,
# which the scripts of those sessions named models/resume-zh.
ZH3=$R/rgm2-soup3
dotnet build -c Release src/Cli -v q -nologo >/dev/null
dotnet build -c Release bench/Bench -v q -nologo >/dev/null
P=src/Cli/bin/Release/net10.0/padellm
B=bench/Bench/bin/Release/net10.0/PaDeLLM.Bench
mkdir -p "$R" "$S"
if [ ! -f "$ZH3/model.safetensors" ]; then # runs/ lost: the same weights from the commit that last shipped them
  mkdir -p "$ZH3"
  for f in config.json model.safetensors tokenizer.json labels.json; do git show "adbe23d:models/resume-zh/$f" > "$ZH3/$f"; done
fi
one() { DOTNET_PROCESSOR_COUNT=1 "$P" "$@"; }

train_conll03() {
  # The same config (3.7M-parameter Llama, 2,000-piece tokenizer trained on the PaDeLLM
  # examples, cosine schedule planned for 4,500 steps of 16 rows) for all three formats, each
  # stopped at step 2,000 (about 2.3 epochs): the budget this machine allowed for six runs.
  local cfg=$C/conll03-padellm-v2k.json
  one train --dataset conll03 --format padellm --config "$cfg" --out "$R/conll03-padellm-v2k" --until-step 2000 --resume
  for f in struct aug; do
    one train --dataset conll03 --format "$f" --config "$cfg" --tokenizer "$R/conll03-padellm-v2k" --out "$R/conll03-$f-v2k" --until-step 2000 --resume
  done
}

train_resume() {
  # Resume: the prompt loss (next-token loss on the sentence too) for all three formats, same
  # tokenizer (trained by the PaDeLLM run) and budget: 1,500 steps of 16 rows.
  local cfg=$C/resume-v3k-prompt1.json
  one train --dataset resume --format padellm --config "$cfg" --out "$R/resume-padellm-v3k-prompt1" --resume
  for f in struct aug; do
    one train --dataset resume --format "$f" --config "$cfg" --tokenizer "$R/resume-padellm-v3k-prompt1" --out "$R/resume-$f-v3k-prompt1" --resume
  done
}

train_levers() {
  # CoNLL-2003 levers on the v2k recipe: the copy-aligned tokenizer alone (step 2,000, as
  # train_conll03); with the prompt loss too, for PaDeLLM (kept at step 2,000, then on to the
  # end of its 4,500-step schedule: the shipped model) and AutoReg_Struct (step 2,000).
  one train --dataset conll03 --format padellm --config "$C/conll03-padellm-v2k-copy.json" --out "$R/conll03-padellm-v2k-copy" --until-step 2000 --resume
  local cfg=$C/conll03-padellm-v2k-copy-prompt1.json run=$R/conll03-padellm-v2k-copy-prompt1
  one train --dataset conll03 --format padellm --config "$cfg" --tokenizer "$R/conll03-padellm-v2k-copy" --out "$run" --until-step 2000 --resume
  [ -d "$run-step2000" ] || cp -r "$run" "$run-step2000"
  one train --dataset conll03 --format padellm --config "$cfg" --tokenizer "$R/conll03-padellm-v2k-copy" --out "$run" --resume
  one train --dataset conll03 --format struct --config "$cfg" --tokenizer "$R/conll03-padellm-v2k-copy" --out "$R/conll03-struct-v2k-copy-prompt1" --until-step 2000 --resume
}

# eval DATASET RUN NAME MODE [FORMAT] [--out FILE]: the summary JSON goes to summaries/NAME.json
ev() {
  local ds=$1 run=$2 name=$3 mode=$4; shift 4
  local fmt=(); if [ "$mode" = autoreg ]; then fmt=(--format "$1"); shift; fi
  one eval --model "$run" --dataset "$ds" --mode "$mode" "${fmt[@]}" --json "$@" > "$S/$name.json"
  echo "$name: $(tr -d '\n ' < "$S/$name.json")"
}

evaluate() {
  # Every evaluation runs on one core (DOTNET_PROCESSOR_COUNT=1), like the training runs, so the
  # latencies of all formats are measured alike (and a training may use the other core).
  ev conll03 "$R/conll03-padellm-v2k" conll03-padellm-batch batch --unconstrained --out docs/results/conll03-v2k-padellm-batch-dev.json
  ev conll03 "$R/conll03-padellm-v2k" conll03-padellm-multi multi --unconstrained --out docs/results/conll03-v2k-padellm-multi-dev.json
  ev conll03 "$R/conll03-struct-v2k" conll03-struct autoreg struct --out docs/results/conll03-v2k-struct-dev.json
  ev conll03 "$R/conll03-aug-v2k" conll03-aug autoreg aug --out docs/results/conll03-v2k-aug-dev.json
  ev resume "$R/resume-padellm-v3k-prompt1" resume-padellm-batch batch --unconstrained --out docs/results/resume-v3k-prompt1-padellm-batch-dev.json
  ev resume "$R/resume-padellm-v3k-prompt1" resume-padellm-multi multi --unconstrained --out docs/results/resume-v3k-prompt1-padellm-multi-dev.json
  ev resume "$R/resume-struct-v3k-prompt1" resume-struct autoreg struct --out docs/results/resume-v3k-prompt1-struct-dev.json
  ev resume "$R/resume-aug-v3k-prompt1" resume-aug autoreg aug --out docs/results/resume-v3k-prompt1-aug-dev.json
}

evaluate_levers() {
  ev conll03 "$R/conll03-padellm-v2k-copy" conll03-copy-padellm-batch batch --unconstrained
  ev conll03 "$R/conll03-padellm-v2k-copy-prompt1-step2000" conll03-copy-prompt1-step2000-padellm-batch batch --unconstrained
  ev conll03 "$R/conll03-struct-v2k-copy-prompt1" conll03-copy-prompt1-struct autoreg struct --out docs/results/conll03-v2k-copy-prompt1-struct-dev.json
  ev conll03 "$R/conll03-padellm-v2k-copy-prompt1" conll03-copy-prompt1-f32-padellm-batch batch --unconstrained
  # The model shipped until session 6 (the first cycle, BF16); models/conll03-en is now train_wide_aug's.
  [ -d "$R/conll03-en-cycle1" ] || "$P" model export --model "$R/conll03-padellm-v2k-copy-prompt1" --out "$R/conll03-en-cycle1" --dtype bf16
  ev conll03 "$R/conll03-en-cycle1" conll03-shipped-padellm-batch batch --unconstrained --out docs/results/conll03-shipped-padellm-batch-dev.json
  ev conll03 "$R/conll03-en-cycle1" conll03-shipped-padellm-multi multi --unconstrained --out docs/results/conll03-shipped-padellm-multi-dev.json
  ev conll03 "$R/conll03-en-cycle1" conll03-shipped-copy-batch batch --copy-end argmax
}

train_models() {
  # Both levers on (copy-aligned tokenizer, prompt loss). Resume: 4,000 steps of 16 rows (16.8 epochs).
  # (shipped as resume-zh before the MSRA transfer of `reproduce.sh zh`; Table 3's PaDeLLM row on Resume)
  one train --dataset resume --format padellm --config "$C/resume-zh.json" --out "$R/resume-zh" --resume
  # CoNLL-2003: a second cosine cycle (5,000 steps from lr 2e-3, seed 2) from the first cycle's BF16
  # export (the model shipped before it): runs do not outlive a session here, shipped models do.
  [ -d "$R/conll03-en-cycle1" ] || "$P" model export --model "$R/conll03-padellm-v2k-copy-prompt1" --out "$R/conll03-en-cycle1" --dtype bf16
  one train --dataset conll03 --format padellm --config "$C/conll03-en-cycle2.json" --init "$R/conll03-en-cycle1" --out "$R/conll03-en-cycle2" --resume
  # A third cycle (6,000 steps from lr 1.5e-3, seed 3) from the second's F32 weights: the shipped model.
  one train --dataset conll03 --format padellm --config "$C/conll03-en-cycle3.json" --init "$R/conll03-en-cycle2" --out "$R/conll03-en-cycle3" --resume
  # The model shipped in session 8: the mean of the second and third cycles' final weights (checkpoint averaging).
  "$P" model export --model "$R/conll03-en-cycle2" --model "$R/conll03-en-cycle3" --out "$R/conll03-en-avg23" --dtype bf16
  # Resume with residual dropout 0.1 (not shipped: 56.61 against 57.19 without).
  one train --dataset resume --format padellm --config "$C/resume-zh-dropout.json" --out "$R/resume-zh-dropout" --resume
  ev resume "$R/resume-zh-dropout" resume-zh-dropout-copy-batch batch --copy-end argmax
}

train_wide() {
  # A wider, deeper CoNLL-2003 model (11.4M parameters) on both cores, resumable across sessions.
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset conll03 --format padellm --config "$C/conll03-en-wide.json" \
    --tokenizer models/conll03-en --out "$R/conll03-en-wide" --resume
}

wide_cycle() {
  # One padellm+aug cycle of the wide CoNLL-2003 model on both cores: from run $1's weights with config $2
  # into run $3; its final weights exported to $4-bf16 and scored as summary $5-copy-batch; with $6 and $7,
  # the mean of its snapshots at those steps exported to $4-avg.
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset conll03 --format padellm+aug --config "$C/$2.json" \
    --init "$R/$1" --out "$R/$3" --resume
  "$P" model export --model "$R/$3" --out "$R/$4-bf16"
  ev conll03 "$R/$4-bf16" "$5-copy-batch" batch
  if [ $# -gt 5 ]; then
    "$P" model export --model "$R/$3/steps/$6" --model "$R/$3/steps/$7" --out "$R/$4-avg"
  fi
}

train_wide_aug() {
  # The shipped model's recipe at the wide shape: AutoReg_Aug first (the shipped tokenizer, both levers),
  # then padellm+aug cycles from its weights as in train_mixed. Both cores, resumable across sessions.
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset conll03 --format aug --config "$C/conll03-en-wide-aug.json" \
    --tokenizer models/conll03-en --out "$R/conll03-en-wide-aug" --resume
  # Then the padellm+aug cycles, each from the previous one's F32 end: the first (2,500 steps); the second
  # (3,000 from lr 1.5e-3; the mean of its snapshots at 2,500 and 3,000 shipped in session 12); the third
  # (2,000 from lr 1e-3; the mean at 1,500 and 2,000 shipped early in session 13); the fourth (1,500 from
  # lr 7e-4, one mention-replaced copy of each sentence; the mean at 1,000 and 1,500 shipped late in session 13);
  # the fifth (1,500 from lr 6e-4, two replaced copies, from the fourth's BF16 mean, wide-c4r-avg: session 14
  # began on a fresh machine without runs/): the shipped conll03-en is the mean of its snapshots at 1,000 and
  # 1,500. Each cycle's final weights are scored too (conll03-en-wide-*-copy-batch).
  wide_cycle conll03-en-wide-aug conll03-en-wide-mixed conll03-en-wide-mixed wide-mixed conll03-en-wide-mixed
  wide_cycle conll03-en-wide-mixed conll03-en-wide-mixed-c2 conll03-en-wide-mixed-c2 wide-c2 conll03-en-wide-c2 2500 3000
  wide_cycle conll03-en-wide-mixed-c2 conll03-en-wide-mixed-c3 conll03-en-wide-mixed-c3 wide-c3 conll03-en-wide-c3 1500 2000
  wide_cycle conll03-en-wide-mixed-c3 conll03-en-wide-mixed-c4-replaced conll03-en-wide-c4-replaced wide-c4r \
    conll03-en-wide-c4-replaced 1000 1500
  wide_cycle wide-c4r-avg conll03-en-wide-mixed-c5-replaced conll03-en-wide-c5-replaced wide-c5r \
    conll03-en-wide-c5-replaced 1000 1500
  # A sixth cycle run twice from the fifth's mean (session 15: 1,000 steps from lr 5e-4, two replaced copies,
  # seeds 21 and 22, one core each), then soups: means of whole models across cycles and seeds.
  local seed
  for seed in 21 22; do
    one train --dataset conll03 --format padellm+aug --config "$C/conll03-en-wide-mixed-c6-seed$seed.json" \
      --init "$R/wide-c5r-avg" --out "$R/conll03-en-wide-c6-seed$seed" --resume &
  done
  wait
  local c6=("$R/conll03-en-wide-c6-seed21" "$R/conll03-en-wide-c6-seed22")
  "$P" model export --model "${c6[0]}" --model "${c6[1]}" --out "$R/wide-c6-soup"
  "$P" model export --model "$R/wide-c5r-avg" --model "${c6[0]}" --model "${c6[1]}" --out "$R/wide-c5c6-soup"
  "$P" model export --model "$R/wide-c4r-avg" --model "$R/wide-c5r-avg" --out "$R/wide-c4c5-soup"
  "$P" model export --model "$R/wide-c4r-avg" --model "$R/wide-c5r-avg" --model "${c6[0]}" --model "${c6[1]}" \
    --out "$R/wide-c4c5c6-soup"
  "$P" model export --model "${c6[0]}/steps/500" --model "${c6[0]}" --model "${c6[1]}/steps/500" \
    --model "${c6[1]}" --out "$R/wide-c6x4-soup"
  "$P" model export --model "$R/wide-c3-avg" --model "$R/wide-c4r-avg" --model "$R/wide-c5r-avg" \
    --out "$R/wide-c3c4c5-soup"
  for seed in 21 22; do ev conll03 "$R/conll03-en-wide-c6-seed$seed" "conll03-en-wide-c6-seed$seed-copy-batch" batch; done
  local soup
  for soup in c6 c5c6 c4c5 c4c5c6 c6x4 c3c4c5; do ev conll03 "$R/wide-$soup-soup" "conll03-en-soup-$soup-copy-batch" batch; done
  cp "$R/wide-c6-soup/model.safetensors" "$R/wide-c6-soup/config.json" models/conll03-en/ # shipped (75.09)
  local run
  for run in wide-aug wide-mixed wide-mixed-c2 wide-mixed-c3 wide-c4-replaced wide-c5-replaced wide-c6-seed21 \
    wide-c6-seed22; do
    cp "$R/conll03-en-$run/train_log.jsonl" "docs/results/conll03-en-$run-train_log.jsonl"
  done
  "$B" plot-dev-f1 "small: Aug (Table 3)=docs/results/conll03-aug-levers-train_log.jsonl" \
    "small: padellm+aug from it (copied)=docs/results/conll03-en-mixed-train_log.jsonl" \
    "wide: Aug=docs/results/conll03-en-wide-aug-train_log.jsonl" \
    "wide: padellm+aug from it (copied)=docs/results/conll03-en-wide-mixed-train_log.jsonl" \
    "wide: padellm+aug cycle 2 (copied)=docs/results/conll03-en-wide-mixed-c2-train_log.jsonl" \
    "wide: padellm+aug cycle 3 (copied)=docs/results/conll03-en-wide-mixed-c3-train_log.jsonl" \
    "wide: cycle 4, replaced mentions (copied)=docs/results/conll03-en-wide-c4-replaced-train_log.jsonl" \
    "wide: cycle 5, two replaced copies (copied)=docs/results/conll03-en-wide-c5-replaced-train_log.jsonl" \
    --out docs/results/conll03-wide-dev-f1.svg
}

train_zh_wide() {
  # The Chinese model at the wide shape (12.5M parameters), stage 1: MSRA + Resume as padellm+aug with the
  # shipped tokenizer, 6,000 steps from lr 2e-3, both cores, resumable (session 12: stopped at step 944).
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset msra,resume --format padellm+aug \
    --config "$C/zh-msra-resume-wide.json" --tokenizer models/resume-zh --out "$R/zh-msra-resume-wide" --resume
}

train_zh() {
  # Stage 1: MSRA (46,364 sentences) and Resume train together, each under its own prompts, both cores.
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset msra,resume --format padellm --config "$C/zh-msra-resume.json" \
    --out "$R/zh-msra-resume" --resume
  # Stage 2: Resume alone from stage 1's weights (its tokenizer comes with them).
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset resume --format padellm --config "$C/resume-zh-msra-finetune.json" \
    --init "$R/zh-msra-resume" --out "$R/resume-zh-msra" --resume
  "$P" model export --model "$R/resume-zh-msra" --out "$R/resume-zh-msra-bf16" --dtype bf16
  ev resume "$R/resume-zh-msra-bf16" resume-zh-msra-copy-batch batch --copy-end argmax
  # Stage 2's model: the mean of its last two snapshots (steps 1,250 and 1,500; shipped in session 8).
  "$P" model export --model "$R/resume-zh-msra/steps/1250" --model "$R/resume-zh-msra/steps/1500" \
    --out "$R/resume-zh-stage2" --dtype bf16
  # Stage 3: Resume with its Aug examples packed beside the PaDeLLM ones (padellm+aug), 2,000 steps from
  # lr 1e-3; the shipped model is its final weights (the mean of its last two snapshots scored the same).
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset resume --format padellm+aug --config "$C/resume-zh-mixed.json" \
    --init "$R/resume-zh-stage2" --out "$R/resume-zh-mixed" --resume
  # (shipped until session 13; models/resume-zh is now train_replaced's)
  "$P" model export --model "$R/resume-zh-mixed" --out "$R/resume-zh-mixed-bf16" --dtype bf16
  # Measured, not shipped: a fourth stage, 750 steps from lr 5e-4, run twice (count weight 1 and 4, one
  # core each), each alone, their mean, and the mean of both with stage 3 (all below stage 3).
  local w
  for w in 1 4; do
    one train --dataset resume --format padellm+aug --config "$C/resume-zh-mixed-c2-count$w.json" \
      --init "$R/resume-zh-mixed" --out "$R/resume-zh-c2-count$w" --resume &
  done
  wait
  for w in 1 4; do ev resume "$R/resume-zh-c2-count$w" "resume-zh-c2-count$w-copy-batch" batch --copy-end argmax; done
  "$P" model export --model "$R/resume-zh-c2-count1" --model "$R/resume-zh-c2-count4" --out "$R/rz-c2-avg"
  "$P" model export --model "$R/resume-zh-mixed" --model "$R/resume-zh-c2-count1" --model "$R/resume-zh-c2-count4" \
    --out "$R/rz-c2-avg3"
  ev resume "$R/rz-c2-avg" resume-zh-c2-mean-copy-batch batch --copy-end argmax
  ev resume "$R/rz-c2-avg3" resume-zh-c2-mean3-copy-batch batch --copy-end argmax
}

train_replaced() {
  # Mention replacement on Resume: stage 3 of train_zh again (same start, config and seed) with two replaced
  # copies of every sentence (each mention redrawn with probability 0.5), both cores; scored like the shipped model.
  [ -d "$R/resume-zh-stage2" ] || "$P" model export --model "$R/resume-zh-msra/steps/1250" \
    --model "$R/resume-zh-msra/steps/1500" --out "$R/resume-zh-stage2" --dtype bf16
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset resume --format padellm+aug --config "$C/resume-zh-mixed-replaced.json" \
    --init "$R/resume-zh-stage2" --out "$R/resume-zh-replaced" --resume
  # The shipped resume-zh: its final weights (the mean of its snapshots at 1,500 and 2,000 scored lower).
  "$P" model export --model "$R/resume-zh-replaced" --out "$R/resume-zh-replaced-bf16" --dtype bf16
  "$P" model export --model "$R/resume-zh-replaced/steps/1500" --model "$R/resume-zh-replaced/steps/2000" \
    --out "$R/resume-zh-replaced-avg" --dtype bf16
  ev resume "$R/resume-zh-replaced-avg" resume-zh-replaced-mean-copy-batch batch
  # (shipped in sessions 13-15; models/resume-zh is now train_grown_msra's)
  cp "$R/resume-zh-replaced-bf16/model.safetensors" "$R/resume-zh-replaced-bf16/config.json" models/resume-zh/
  cp "$R/resume-zh-replaced/train_log.jsonl" docs/results/resume-zh-replaced-train_log.jsonl
  # A second cycle from the shipped weights (session 14): both scorings below the shipped model, not shipped.
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset resume --format padellm+aug --config "$C/resume-zh-replaced-c2.json" \
    --init "$R/resume-zh-replaced-bf16" --out "$R/resume-zh-replaced-c2" --resume
  "$P" model export --model "$R/resume-zh-replaced-c2" --out "$R/resume-zh-replaced-c2-bf16" --dtype bf16
  "$P" model export --model "$R/resume-zh-replaced-c2/steps/500" --model "$R/resume-zh-replaced-c2/steps/1000" \
    --out "$R/resume-zh-replaced-c2-avg" --dtype bf16
  ev resume "$R/resume-zh-replaced-c2-bf16" resume-zh-replaced-c2-copy-batch batch
  ev resume "$R/resume-zh-replaced-c2-avg" resume-zh-replaced-c2-mean-copy-batch batch
  # The same stage without the copies, scored at the same step with today's ending rule.
  ev resume "$R/resume-zh-mixed/steps/1000" resume-zh-mixed-1000-copy-batch batch
}

train_grown() {
  # Resume at the wide shape without learning Chinese again: stage 3's model (train_replaced) grown into the
  # CoNLL-2003 model's shape (hidden 384, 6 heads, MLP 1,024, 6 layers; the same function, 12.5M parameters),
  # then one padellm+aug cycle with two replaced copies (session 15: one core beside other runs).
  "$P" model grow --model "$R/resume-zh-replaced-bf16" --out "$R/resume-grown" --hidden 384 --heads 6 \
    --intermediate 1024 --layers 6
  ev resume "$R/resume-grown" resume-zh-grown-start-copy-batch batch
  one train --dataset resume --format padellm+aug --config "$C/resume-zh-grown.json" \
    --init "$R/resume-grown" --out "$R/resume-zh-grown" --resume
  "$P" model export --model "$R/resume-zh-grown" --out "$R/resume-zh-grown-bf16" --dtype bf16
  "$P" model export --model "$R/resume-zh-grown/steps/500" --model "$R/resume-zh-grown/steps/1000" \
    --out "$R/resume-zh-grown-avg" --dtype bf16
  ev resume "$R/resume-zh-grown-bf16" resume-zh-grown-copy-batch batch
  ev resume "$R/resume-zh-grown-avg" resume-zh-grown-mean-copy-batch batch
  cp "$R/resume-zh-grown/train_log.jsonl" docs/results/resume-zh-grown-train_log.jsonl
  # The same cycle with seed 14 (both cores), and the two runs' mean.
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset resume --format padellm+aug --config "$C/resume-zh-grown-seed14.json" \
    --init "$R/resume-grown" --out "$R/resume-zh-grown-seed14" --resume
  "$P" model export --model "$R/resume-zh-grown-seed14" --out "$R/resume-zh-grown-seed14-bf16" --dtype bf16
  "$P" model export --model "$R/resume-zh-grown" --model "$R/resume-zh-grown-seed14" --out "$R/resume-zh-grown-soup"
  ev resume "$R/resume-zh-grown-seed14-bf16" resume-zh-grown-seed14-copy-batch batch
  ev resume "$R/resume-zh-grown-soup" resume-zh-grown-soup-copy-batch batch
  cp "$R/resume-zh-grown-seed14/train_log.jsonl" docs/results/resume-zh-grown-seed14-train_log.jsonl
}

resume_stages() {
  # Resume padellm+aug runs from one start (each config is named like its run, both cores): each run's final
  # weights and the mean of its snapshots at $SNAP (500 unless set) and its end, scored; its train log kept.
  local init=$1 run snap=${SNAP:-500}; shift
  for run in "$@"; do
    DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset resume --format padellm+aug --config "$C/$run.json" \
      --init "$R/$init" --out "$R/$run" --resume
    "$P" model export --model "$R/$run" --out "$R/$run-bf16" --dtype bf16
    "$P" model export --model "$R/$run/steps/$snap" --model "$R/$run" --out "$R/$run-avg" --dtype bf16
    ev resume "$R/$run-bf16" "$run-copy-batch" batch
    ev resume "$R/$run-avg" "$run-mean-copy-batch" batch
    cp "$R/$run/train_log.jsonl" "docs/results/$run-train_log.jsonl"
  done
}

train_grown_msra() {
  # The grown model (train_grown's start) reads MSRA with Resume again at the wide shape, a shorter stage 1 than
  # from nothing (1,500 steps from lr 1e-3), then Resume padellm+aug with two replaced copies (1,000 steps);
  # both cores each (session 16: about 55 and 50 minutes).
  [ -d "$R/resume-grown" ] || "$P" model grow --model "$R/resume-zh-replaced-bf16" --out "$R/resume-grown" \
    --hidden 384 --heads 6 --intermediate 1024 --layers 6
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset msra,resume --format padellm+aug \
    --config "$C/zh-msra-resume-grown.json" --init "$R/resume-grown" --out "$R/zh-msra-resume-grown" --resume
  # The last stage run twice from the same start (seeds 32 and 33; the config is named like its run); each run's
  # final weights and the mean of its snapshots at 500 and 1,000 (seed 32's mean shipped in 90e764d).
  resume_stages zh-msra-resume-grown resume-zh-grown-msra resume-zh-grown-msra-seed33
  ev resume "$R/resume-zh-grown-msra/steps/500" resume-zh-grown-msra-500-copy-batch batch
  # Soups of the two runs; the shipped resume-zh is the mean of their final weights.
  local a=$R/resume-zh-grown-msra b=$R/resume-zh-grown-msra-seed33
  "$P" model export --model "$a" --model "$b" --out "$R/rgm-soup2" --dtype bf16
  "$P" model export --model "$a/steps/500" --model "$a" --model "$b/steps/500" --model "$b" --out "$R/rgm-soup4" \
    --dtype bf16
  ev resume "$R/rgm-soup2" resume-zh-grown-msra-soup2-copy-batch batch
  ev resume "$R/rgm-soup4" resume-zh-grown-msra-soup4-copy-batch batch
  cp "$R/rgm-soup2/model.safetensors" "$R/rgm-soup2/config.json" models/resume-zh/
  cp "$R/zh-msra-resume-grown/train_log.jsonl" docs/results/zh-msra-resume-grown-train_log.jsonl
}

train_grown_msra2() {
  # A second MSRA + Resume stage at the wide shape from the first one's end (train_grown_msra; 1,500 more steps
  # from lr 6e-4, about 60 minutes on both cores), then the same Resume stage from it with seeds 35 and 36
  # (session 17). The shipped resume-zh is the mean of the final weights of seeds 32 and 33 (one MSRA stage)
  # and 35 (two): the best of the soups below on dev.
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset msra,resume --format padellm+aug \
    --config "$C/zh-msra-resume-grown2.json" --init "$R/zh-msra-resume-grown" --out "$R/zh-msra-resume-grown2" \
    --resume
  resume_stages zh-msra-resume-grown2 resume-zh-grown-msra2 resume-zh-grown-msra2-seed36
  ev resume "$R/resume-zh-grown-msra2/steps/500" resume-zh-grown-msra2-500-copy-batch batch
  # Soups of the four runs' final weights: the two after one MSRA stage (a, b), the two after two (c, d).
  local a=$R/resume-zh-grown-msra b=$R/resume-zh-grown-msra-seed33 c=$R/resume-zh-grown-msra2
  local d=$R/resume-zh-grown-msra2-seed36
  "$P" model export --model "$c" --model "$a" --model "$b" --out "$R/rgm2-soup3" --dtype bf16
  ev resume "$R/rgm2-soup3" resume-zh-grown-msra2-soup3-copy-batch batch
  "$P" model export --model "$c" --model "$d" --out "$R/rgm2-soup2" --dtype bf16
  "$P" model export --model "$c" --model "$d" --model "$a" --model "$b" --out "$R/rgm2-soup4" --dtype bf16
  ev resume "$R/rgm2-soup2" resume-zh-grown-msra2-soup2-copy-batch batch
  ev resume "$R/rgm2-soup4" resume-zh-grown-msra2-soup4-copy-batch batch
  cp "$R/rgm2-soup3/model.safetensors" "$R/rgm2-soup3/config.json" models/resume-zh/
  ev resume models/resume-zh resume-zh-copy-batch batch
  ev resume models/resume-zh resume-zh-free-batch batch --unconstrained
  ev resume models/resume-zh resume-zh-copy-multi multi
  cp "$R/zh-msra-resume-grown2/train_log.jsonl" docs/results/zh-msra-resume-grown2-train_log.jsonl
}

train_grown_msra3() {
  # A third MSRA + Resume stage from the shipped soup of three (grow-msra2's rgm2-soup3; session 19): MSRA with
  # Resume 600 steps from lr 6e-4 (its loss starts at 2.5 against stage 2's 1.3: the Resume stages forgot MSRA),
  # then the Resume stage, 800 steps (seed 38), both cores, about 40 and 35 minutes; the run alone, the mean of
  # its snapshot at 400 and its end, and its soups with the shipped model (none above it: it stayed).
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset msra,resume --format padellm+aug \
    --config "$C/zh-msra-resume-grown3.json" --init "$R/rgm2-soup3" --out "$R/zh-msra-resume-grown3" --resume
  SNAP=400 resume_stages zh-msra-resume-grown3 resume-zh-grown-msra3
  ev resume "$R/resume-zh-grown-msra3/steps/400" resume-zh-grown-msra3-400-copy-batch batch
  # Soups with the shipped model (rgm2-soup3): half the new run, a third, and the new run's mean of two with it.
  local n=$R/resume-zh-grown-msra3 z=$R/rgm2-soup3
  "$P" model export --model "$n" --model "$z" --out "$R/rgm3-soup2" --dtype bf16
  "$P" model export --model "$n" --model "$z" --model "$z" --out "$R/rgm3-soup1of3" --dtype bf16
  "$P" model export --model "$n" --model "$n/steps/400" --model "$z" --model "$z" --out "$R/rgm3-soup4" --dtype bf16
  ev resume "$R/rgm3-soup2" resume-zh-grown-msra3-soup2-copy-batch batch
  ev resume "$R/rgm3-soup1of3" resume-zh-grown-msra3-soup1of3-copy-batch batch
  ev resume "$R/rgm3-soup4" resume-zh-grown-msra3-soup4-copy-batch batch
  cp "$R/zh-msra-resume-grown3/train_log.jsonl" docs/results/zh-msra-resume-grown3-train_log.jsonl
}

gold_counts() {
  # Where the shipped models lose (session 20): each on all of dev with its own counts and with the gold counts
  # (eval --gold-counts, a diagnosis), both results files scored by distinct gold strings per (sentence, label).
  local m ds
  for m in conll03:conll03-en resume:resume-zh; do
    ds=${m%%:*} m=${m##*:}
    ev "$ds" "models/$m" "$m-own-counts" batch --warmup-seconds 0 --out "$R/$m-own-counts.json"
    ev "$ds" "models/$m" "$m-gold-counts" batch --warmup-seconds 0 --gold-counts --out "$R/$m-gold-counts.json"
    "$P" score "$R/$m-own-counts.json" --dataset "$ds" --json > "$S/$m-own-counts-by-gold-count.json"
    "$P" score "$R/$m-gold-counts.json" --dataset "$ds" --json > "$S/$m-gold-counts-by-gold-count.json"
  done
}

ft_pair() {
  # Two Resume runs from the shipped soup (pair_runs), each also in a soup with the shipped model and scored so.
  local run
  pair_runs "$@"
  for run in "$@"; do
    "$P" model export --model "$R/$run" --model "$ZH3" --out "$R/$run-soup" --dtype bf16
    ev resume "$R/$run-soup" "$run-soup-copy-batch" batch
  done
}

train_joined() {
  # Adjacent joining (session 21): the shipped soup trained on Resume for 400 more steps (seed 40 at lr 5e-4, seed
  # 41 at lr 1e-4; about 45 minutes a pair), each time once with every training sentence also joined to the next
  # (augment.join_adjacent: 15,275 rows against 11,457) and once without.
  ft_pair resume-zh-ft-joined resume-zh-ft-plain
  ft_pair resume-zh-ft-joined-lr1e-4 resume-zh-ft-plain-lr1e-4
  # All four and the shipped soup, a soup of five.
  "$P" model export --model "$R/resume-zh-ft-joined" --model "$R/resume-zh-ft-plain" \
    --model "$R/resume-zh-ft-joined-lr1e-4" --model "$R/resume-zh-ft-plain-lr1e-4" --model "$ZH3" \
    --out "$R/resume-zh-ft-soup5" --dtype bf16
  ev resume "$R/resume-zh-ft-soup5" resume-zh-ft-soup5-copy-batch batch
}

train_bidir() {
  # A prefix LM's reading of the text (session 22): the shipped soup trained on Resume for 800 more steps, once with
  # model.bidirectional_text (each text token attends to the whole text; the prompt loss then skips the text) and
  # once causally as before, same seed and data, one core each side by side (about 55 minutes a pair); then two
  # more bidirectional seeds, and the soup of the three bidirectional runs.
  local run step f1
  pair_runs resume-zh-ft-bidir resume-zh-ft-causal
  for run in resume-zh-ft-bidir resume-zh-ft-causal; do
    # Dev F1 against step: the snapshots at 200, 400 and 600 (F32), then the run's own final evaluation.
    : > "docs/results/$run-dev-curve.jsonl"
    for step in 200 400 600; do
      ev resume "$R/$run/steps/$step" "$run-step$step-copy-batch" batch
      f1=$(grep -o '"paper_micro_f1": *[0-9.]*' "$S/$run-step$step-copy-batch.json" | grep -o '[0-9.]*$')
      printf '{"step":%d,"dev_paper_f1":%s}\n' "$step" "$f1" >> "docs/results/$run-dev-curve.jsonl"
    done
    grep dev_paper_f1 "docs/results/$run-train_log.jsonl" >> "docs/results/$run-dev-curve.jsonl"
  done
  "$B" plot-dev-f1 "text read bidirectionally=docs/results/resume-zh-ft-bidir-dev-curve.jsonl" \
    "text read causally=docs/results/resume-zh-ft-causal-dev-curve.jsonl" --out docs/results/resume-zh-bidir-dev-f1.svg
  pair_runs resume-zh-ft-bidir-seed42 resume-zh-ft-bidir-seed43
  "$P" model export --model "$R/resume-zh-ft-bidir" --model "$R/resume-zh-ft-bidir-seed42" \
    --model "$R/resume-zh-ft-bidir-seed43" --out "$R/resume-zh-ft-bidir-soup3" --dtype bf16
  run=resume-zh-ft-bidir-soup3
  ev resume "$R/$run" "$run-copy-batch" batch --out "$R/$run.json"
  "$P" score "$R/$run.json" --dataset resume --json > "$S/$run-by-gold-count.json"
}

train_bidir_msra() {
  # The text read bidirectionally from the MSRA stage on (session 24): the shipped soup reads MSRA with Resume for 600
  # steps with model.bidirectional_text (both cores, about 30 minutes; grow-msra3's stage, bidirectional), then two
  # Resume runs from there side by side (seeds 45 and 46, one core each, about 55 minutes), and their soup.
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset msra,resume --format padellm+aug \
    --config "$C/zh-msra-resume-bidir.json" --init "$ZH3" --out "$R/zh-msra-resume-bidir" --resume
  cp "$R/zh-msra-resume-bidir/train_log.jsonl" docs/results/zh-msra-resume-bidir-train_log.jsonl
  INIT=$R/zh-msra-resume-bidir pair_runs resume-zh-bidir-msra resume-zh-bidir-msra-seed46
  soup_runs resume-zh-bidir-msra-soup2 resume-zh-bidir-msra resume-zh-bidir-msra-seed46
  INIT=$R/zh-msra-resume-bidir pair_runs resume-zh-bidir-msra-seed47 resume-zh-bidir-msra-seed48
  soup_runs resume-zh-bidir-msra-soup4 resume-zh-bidir-msra resume-zh-bidir-msra-seed4{6,7,8}
}

train_bidir_msra6() {
  # Two more Resume runs from bidir-msra's stage 1 (seeds 49 and 50, session 25) and the soup of all six seeds.
  INIT=$R/zh-msra-resume-bidir pair_runs resume-zh-bidir-msra-seed49 resume-zh-bidir-msra-seed50
  soup_runs resume-zh-bidir-msra-soup6 resume-zh-bidir-msra resume-zh-bidir-msra-seed{46,47,48,49,50}
  # Other soups of the six, by the seeds they take (45 is the run without a seed in its name).
  local seeds m s
  for seeds in 45-46-50 45-46-47-50 45-46-49-50 45-46-47-49-50; do
    m=(); for s in ${seeds//-/ }; do m+=(--model "$R/resume-zh-bidir-msra$([ "$s" = 45 ] || echo "-seed$s")"); done
    "$P" model export "${m[@]}" --out "$R/resume-zh-bidir-msra-soup-$seeds" --dtype bf16
    ev resume "$R/resume-zh-bidir-msra-soup-$seeds" "resume-zh-bidir-msra-soup-$seeds-copy-batch" batch
  done
  # The soup of seeds 45-48 (bidir-msra's, 89.19) shipped as models/resume-zh (session 25).
  cp "$R/resume-zh-bidir-msra-soup4/model.safetensors" "$R/resume-zh-bidir-msra-soup4/config.json" models/resume-zh/
  # The shipped model quiet, one evaluation after the other (what its card and docs/results gave then).
  ship_zh_scores
}

stage_then_pair() {
  # DATASETS STAGE PREFIX: a stage of training on DATASETS from ZH3 (config STAGE.json, both cores), then the Resume
  # stage from its end with seeds 45 and 46 (configs PREFIX.json and PREFIX-seed46.json) and the soup of the two.
  local datasets=$1 stage=$2 prefix=$3
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset "$datasets" --format padellm+aug \
    --config "$C/$stage.json" --init "$ZH3" --out "$R/$stage" --resume
  cp "$R/$stage/train_log.jsonl" "docs/results/$stage-train_log.jsonl"
  INIT=$R/$stage pair_runs "$prefix" "$prefix-seed46"
  soup_runs "$prefix-soup2" "$prefix" "$prefix-seed46"
}

train_bidir_more() {
  # bidir-msra's stage 1 with more Chinese data (session 25): Weibo, Youku and Ecommerce read with MSRA and Resume, each
  # sentence under its own dataset's labels (600 steps), then Resume with seeds 45 and 46 and their soup, against
  # bidir-msra's 87.19, 87.25 and 88.21.
  stage_then_pair msra,weibo,youku,ecommerce,resume zh-more-resume-bidir resume-zh-bidir-more
}

train_bidir_long() {
  # bidir-msra's stage 1 two and a half times as long (1,500 steps, as the causal MSRA stages were; session 25 started
  # it, about 52 minutes on two cores), then Resume with seeds 45 and 46 and their soup, against 87.19, 87.25, 88.21.
  stage_then_pair msra,resume zh-msra-resume-bidir-long resume-zh-bidir-long
  # Repeats kept, as bidir-msra's runs were measured (its evaluations above decode repeats again, the default since).
  for run in resume-zh-bidir-long-bf16 resume-zh-bidir-long-seed46-bf16 resume-zh-bidir-long-soup2; do
    ev resume "$R/$run" "${run%-bf16}-keep-copy-batch" batch --repeats keep
  done
}

train_bidir_long4() {
  # Two more Resume runs from bidir-long's stage (seeds 47 and 48, session 26), and the soup of the four, scored with
  # repeats decoded again (the default) and kept.
  INIT=$R/zh-msra-resume-bidir-long pair_runs resume-zh-bidir-long-seed47 resume-zh-bidir-long-seed48
  soup_runs resume-zh-bidir-long-soup4 resume-zh-bidir-long resume-zh-bidir-long-seed4{6,7,8}
  ev resume "$R/resume-zh-bidir-long-soup4" resume-zh-bidir-long-soup4-keep-copy-batch batch --repeats keep
}

train_long_recipes() {
  # Two Resume recipes from bidir-long's stage (session 27), one core each side by side, against its seeds 45-48
  # (88.21, 87.79, 88.46, 88.47): four replaced copies of every sentence instead of two (seed 49), and the two copies
  # with augment.unseen_characters 0.1 (seed 50: a mention's letter and one nearby swapped for one the tokenizer lacks).
  INIT=$R/zh-msra-resume-bidir-long pair_runs resume-zh-bidir-long-copies4 resume-zh-bidir-long-unseen
  # The soup of all six runs from the long stage (after bidir-long4), scored with repeats decoded again and kept.
  soup_runs resume-zh-bidir-long-soup6 resume-zh-bidir-long resume-zh-bidir-long-{seed46,seed47,seed48,copies4,unseen}
  ev resume "$R/resume-zh-bidir-long-soup6" resume-zh-bidir-long-soup6-keep-copy-batch batch --repeats keep
}

ship_zh_scores() {
  # The shipped Chinese model scored as its card gives: batch mode copied and free, and multi mode.
  ev resume models/resume-zh resume-zh-copy-batch batch --out docs/results/resume-zh-copy-batch-dev.json
  ev resume models/resume-zh resume-zh-free-batch batch --unconstrained --out docs/results/resume-zh-free-batch-dev.json
  ev resume models/resume-zh resume-zh-copy-multi multi --out docs/results/resume-zh-copy-multi-dev.json
  ev resume models/resume-zh resume-zh-keep-copy-batch batch --repeats keep
}

train_long_deep() {
  # More depth (session 27): bidir-long's stage grown from 6 layers to 8 (16.0M parameters, 32 MB in BF16; the new
  # layers start as the identity), then the Resume stage with seeds 45 and 46 as bidir-long's (88.21, 87.79), one core
  # each side by side, and the soup of the two.
  [ -d "$R/zh-msra-resume-bidir-long-deep" ] || "$P" model grow --model "$R/zh-msra-resume-bidir-long" \
    --out "$R/zh-msra-resume-bidir-long-deep" --layers 8
  INIT=$R/zh-msra-resume-bidir-long-deep pair_runs resume-zh-bidir-long-deep resume-zh-bidir-long-deep-seed46
  soup_runs resume-zh-bidir-long-deep-soup2 resume-zh-bidir-long-deep resume-zh-bidir-long-deep-seed46
}

train_long_seeds8() {
  # Two more Resume runs from bidir-long's stage (seeds 49 and 50, the recipe of seeds 45-48; session 27) and the soup
  # of all eight runs from that stage, scored with repeats decoded again and kept.
  INIT=$R/zh-msra-resume-bidir-long pair_runs resume-zh-bidir-long-seed49 resume-zh-bidir-long-seed50
  local run=resume-zh-bidir-long-soup8
  soup_runs "$run" resume-zh-bidir-long resume-zh-bidir-long-{seed46,seed47,seed48,copies4,unseen,seed49,seed50}
  ev resume "$R/$run" "$run-keep-copy-batch" batch --repeats keep
  # Shipped as models/resume-zh (session 27: 89.61 against bidir-msra's soup of four, 89.40), then scored as shipped.
  cp "$R/$run/model.safetensors" "$R/$run/config.json" models/resume-zh/
  ship_zh_scores
}

train_deep_stage() {
  # Depth with its own MSRA stage (session 27 started it): long-deep's grown start reads MSRA with Resume for 1,000
  # steps at 8 layers (both cores; resumable), then the Resume stage with seeds 45 and 46 and the soup of the two,
  # against long-deep's 88.84, 88.09 and 88.72.
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset msra,resume --format padellm+aug \
    --config "$C/zh-msra-resume-bidir-deep.json" --init "$R/zh-msra-resume-bidir-long-deep" \
    --out "$R/zh-msra-resume-bidir-deep" --resume
  cp "$R/zh-msra-resume-bidir-deep/train_log.jsonl" docs/results/zh-msra-resume-bidir-deep-train_log.jsonl
  INIT=$R/zh-msra-resume-bidir-deep pair_runs resume-zh-bidir-deep resume-zh-bidir-deep-seed46
  soup_runs resume-zh-bidir-deep-soup2 resume-zh-bidir-deep resume-zh-bidir-deep-seed46
}

soup_runs() {
  # SOUP RUN...: the mean of the runs' final weights (a model soup) as $R/SOUP in BF16, scored on all of dev (its
  # predictions kept in $R/SOUP.json) and by gold strings per pair.
  local soup=$1 run m=(); shift
  for run in "$@"; do m+=(--model "$R/$run"); done
  "$P" model export "${m[@]}" --out "$R/$soup" --dtype bf16
  ev resume "$R/$soup" "$soup-copy-batch" batch --out "$R/$soup.json"
  "$P" score "$R/$soup.json" --dataset resume --json > "$S/$soup-by-gold-count.json"
}

pair_runs() {
  # Two Resume runs from the shipped soup (or from $INIT), one core each, side by side (configs named like the runs);
  # each exported in BF16, scored on all of dev and by gold strings per pair, its log kept.
  local run
  for run in "$@"; do
    one train --dataset resume --format padellm+aug --config "$C/$run.json" --init "${INIT:-$ZH3}" \
      --out "$R/$run" --resume &
  done
  wait
  for run in "$@"; do
    "$P" model export --model "$R/$run" --out "$R/$run-bf16" --dtype bf16
    ev resume "$R/$run-bf16" "$run-copy-batch" batch --out "$R/$run.json"
    "$P" score "$R/$run.json" --dataset resume --json > "$S/$run-by-gold-count.json"
    cp "$R/$run/train_log.jsonl" "docs/results/$run-train_log.jsonl"
  done
}

latency_shipped() {
  # Table 2's latency pair at the shape that ships (session 18): AutoReg_Struct from each shipped model's weights,
  # 200 steps on Struct's targets (one core each, side by side, about 20 minutes), then each pair scored one after
  # another (session 18: Resume's twice on an idle machine, CoNLL-2003's beside a training run). So short a stage
  # does not make Table 3's Struct (the F1 comparison); what this measures is a request's cost at the shipped
  # shape, with outputs of Struct's length (tokens per sequence).
  local m ds i
  for m in conll03:conll03-en resume:resume-zh; do
    ds=${m%%:*} m=${m##*:}
    one train --dataset "$ds" --format struct --config "$C/$m-struct-wide.json" --init "models/$m" \
      --out "$R/$m-struct-wide" --resume &
  done
  wait
  for i in 1 2; do
    ev resume models/resume-zh "resume-zh-latency-padellm-$i" batch
    ev resume "$R/resume-zh-struct-wide" "resume-zh-latency-struct-$i" autoreg struct
  done
  ev conll03 models/conll03-en conll03-en-latency-padellm batch
  ev conll03 "$R/conll03-en-struct-wide" conll03-en-latency-struct autoreg struct
}

train_table3() {
  # AutoReg_Struct and AutoReg_Aug trained like PaDeLLM's shipped runs, to the end of the same schedule:
  # the copy-aligned tokenizer of the PaDeLLM run, the prompt loss, CoNLL-2003 4,500 steps (conll03-en's
  # first cycle), Resume 4,000 (resume-zh). Two runs at a time, one core each.
  t3() { one train --dataset "$1" --format "$2" --config "$3" --tokenizer "$4" --out "$R/$1-$2-levers" --resume; }
  local conll=("$C/conll03-padellm-v2k-copy-prompt1.json" "$R/conll03-padellm-v2k-copy")
  local resume=("$C/resume-zh.json" "$R/resume-zh")
  t3 conll03 struct "${conll[@]}" & t3 conll03 aug "${conll[@]}"; wait
  t3 resume struct "${resume[@]}" & t3 resume aug "${resume[@]}"; wait
  # PaDeLLM's row: the first cycle of conll03-en (train_levers), evaluated alike.
  ev conll03 "$R/conll03-en-cycle1" conll03-levers-padellm-free batch --unconstrained
  ev conll03 "$R/conll03-en-cycle1" conll03-levers-padellm-copy batch
  # and on Resume, the 4,000 steps of Resume alone (train_models' resume-zh), evaluated alike.
  ev resume "$R/resume-zh" resume-levers-padellm-free batch --unconstrained
  ev resume "$R/resume-zh" resume-levers-padellm-copy batch
  ev resume "$R/resume-zh" resume-levers-padellm-copy-multi multi
  # Latency again on a quiet machine (session 11: warm-up, today's ending), each pair twice, one after another.
  local i
  for i in 1 2; do
    ev resume "$R/resume-zh" "resume-latency-resume-padellm-$i" batch
    ev resume "$R/resume-struct-levers" "resume-latency-resume-struct-$i" autoreg struct
  done
  ev conll03 "$R/conll03-en-cycle1" conll03-latency-padellm batch
  ev conll03 "$R/conll03-struct-levers" conll03-latency-struct autoreg struct
  local ds f
  for ds in conll03 resume; do
    for f in struct aug; do
      ev "$ds" "$R/$ds-$f-levers" "$ds-$f-levers" autoreg "$f" --out "docs/results/$ds-$f-levers-dev.json"
    done
  done
  local d=docs/results
  cp "$R/resume-struct-levers/train_log.jsonl" "$d/resume-struct-levers-train_log.jsonl"
  cp "$R/resume-aug-levers/train_log.jsonl" "$d/resume-aug-levers-train_log.jsonl"
  "$B" plot-dev-f1 "PaDeLLM (free)=$d/resume-zh-train_log.jsonl" "AutoReg_Struct=$d/resume-struct-levers-train_log.jsonl" \
    "AutoReg_Aug=$d/resume-aug-levers-train_log.jsonl" --out "$d/resume-levers-dev-f1.svg"
}

train_from_aug() {
  # PaDeLLM continued from AutoReg_Aug's CoNLL-2003 weights (table3's run): the Aug target, the whole
  # sentence rewritten with its entities marked, teaches a from-scratch model to read; PaDeLLM's
  # count and mention format is learnt on top, 2,000 steps from lr 1.5e-3, both cores.
  DOTNET_PROCESSOR_COUNT=2 "$P" train --dataset conll03 --format padellm --config "$C/conll03-en-from-aug.json" \
    --init "$R/conll03-aug-levers" --out "$R/conll03-en-from-aug" --resume
}

train_mixed() {
  # The shipped CoNLL-2003 model: from AutoReg_Aug's weights (table3's run), PaDeLLM and Aug examples
  # of each sentence packed into one row (--format padellm+aug), two cosine cycles, the mean of the
  # second cycle's last two snapshots, a third cycle from it; then a fourth, short cycle twice, with
  # the count's tokens weighed 1 and 4 (one core each, side by side), and the mean of the two.
  local t=(--dataset conll03 --format padellm+aug)
  DOTNET_PROCESSOR_COUNT=2 "$P" train "${t[@]}" --config "$C/conll03-en-mixed-from-aug.json" \
    --init "$R/conll03-aug-levers" --out "$R/conll03-en-mixed" --resume
  DOTNET_PROCESSOR_COUNT=2 "$P" train "${t[@]}" --config "$C/conll03-en-mixed-cycle2.json" \
    --init "$R/conll03-en-mixed" --out "$R/conll03-en-mixed-c2" --resume
  "$P" model export --model "$R/conll03-en-mixed-c2/steps/3500" --model "$R/conll03-en-mixed-c2/steps/4000" \
    --dtype bf16 --out "$R/mixed-c2-avg"
  DOTNET_PROCESSOR_COUNT=2 "$P" train "${t[@]}" --config "$C/conll03-en-mixed-cycle3.json" \
    --init "$R/mixed-c2-avg" --out "$R/conll03-en-mixed-c3" --resume
  local w
  for w in 1 4; do
    one train "${t[@]}" --config "$C/conll03-en-mixed-c4-count$w.json" \
      --init "$R/conll03-en-mixed-c3" --out "$R/conll03-en-c4-count$w" --resume &
  done
  wait
  # Their mean: the small model shipped in sessions 10–11 (train_wide_aug ships today's conll03-en).
  "$P" model export --model "$R/conll03-en-c4-count1" --model "$R/conll03-en-c4-count4" --dtype bf16 --out "$R/c4-avg"
  ev conll03 "$R/conll03-en-mixed-c3" conll03-en-mixed-c3-copy-batch batch --copy-end argmax
  for w in 1 4; do ev conll03 "$R/conll03-en-c4-count$w" "conll03-en-c4-count$w-copy-batch" batch --copy-end argmax; done
}

repeats() {
  # A mention that repeats another k of its label decoded again (docs/results, "Decoding repeats again"): the
  # shipped models on all of dev, mentions copied, repeats kept (the paper) and decoded again at four floors.
  for ds in resume:resume-zh conll03:conll03-en; do
    local d=${ds%%:*} m=${ds##*:}
    ev "$d" "models/$m" "$m-repeats-keep" batch --repeats keep
    for f in 0 0.02 0.05 0.1; do
      ev "$d" "models/$m" "$m-repeats-again-$f" batch --repeat-min-probability "$f"
    done
  done
  ev resume models/resume-zh resume-zh-repeats-again-multi multi
  ev resume models/resume-zh resume-zh-repeats-keep-multi multi --repeats keep
}

count_bias() {
  # Count calibration on the CoNLL-2003 model shipped when it was measured (the third PaDeLLM cycle, BF16):
  # the first 1,000 dev sentences at each β.
  local b m=$R/conll03-en-cycle3-bf16
  [ -d "$m" ] || "$P" model export --model "$R/conll03-en-cycle3" --out "$m" --dtype bf16
  for b in 0 0.25 0.5 1; do
    ev conll03 "$m" "conll03-en-count-bias-$b" batch --max-sentences 1000 --count-bias "$b" --copy-end argmax
  done
  # and on the Resume model shipped in session 12 (train_zh's stage 3), all of dev, with today's ending rule.
  for b in 0.25 0.5 1; do ev resume "$R/resume-zh-mixed-bf16" "resume-zh-count-bias-$b" batch --count-bias "$b"; done
  # and on the shipped soup of three (session 19).
  for b in 0.25 0.5 1; do ev resume "$ZH3" "resume-zh-soup3-count-bias-$b" batch --count-bias "$b"; done
}

evaluate_models() {
  # Each shipped model on all of dev: mentions copied from the text (the default) and free (the paper's).
  local m
  # conll03-en-free-batch-dev.json, the golden file of CopyDecodingTests, was written by the binary
  # of commit 5acd6f4 (before copy decoding existed); this writes the same strings.
  for m in conll03:conll03-en resume:resume-zh; do
    IFS=: read -r ds name <<< "$m"
    ev "$ds" "models/$name" "$name-copy-batch" batch --out "docs/results/$name-copy-batch-dev.json"
    ev "$ds" "models/$name" "$name-free-batch" batch --unconstrained --out "docs/results/$name-free-batch-dev.json"
    ev "$ds" "models/$name" "$name-copy-multi" multi --out "docs/results/$name-copy-multi-dev.json"
  done
  local run
  for run in conll03-en-cycle2 conll03-en-mixed conll03-en-mixed-c2 conll03-en-mixed-c3 conll03-en-c4-count1 \
    conll03-en-c4-count4 resume-zh-dropout zh-msra-resume resume-zh-msra resume-zh-mixed; do
    cp "$R/$run/train_log.jsonl" "docs/results/$run-train_log.jsonl"
  done
  cp "$R/conll03-en-cycle3/train_log.jsonl" docs/results/conll03-en-cycle3-train_log.jsonl
  cp "$R/resume-zh/train_log.jsonl" docs/results/resume-zh-train_log.jsonl # Resume alone (shipped before)
  local f=docs/results
  "$B" plot-dev-f1 "conll03 PaDeLLM cycle 2 (free)=$f/conll03-en-cycle2-train_log.jsonl" \
    "conll03 PaDeLLM cycle 3 (copied)=$f/conll03-en-cycle3-train_log.jsonl" \
    "conll03-en: padellm+aug from Aug (copied)=$f/conll03-en-mixed-train_log.jsonl" \
    "conll03-en: padellm+aug cycle 2 (copied)=$f/conll03-en-mixed-c2-train_log.jsonl" \
    "conll03-en: padellm+aug cycle 3 (copied)=$f/conll03-en-mixed-c3-train_log.jsonl" \
    "Resume alone (free)=$f/resume-zh-train_log.jsonl" \
    "Resume alone, dropout 0.1 (copied)=$f/resume-zh-dropout-train_log.jsonl" \
    "MSRA + Resume (copied)=$f/zh-msra-resume-train_log.jsonl" \
    "then Resume (copied)=$f/resume-zh-msra-train_log.jsonl" \
    "then Resume padellm+aug (copied, first ending rule)=$f/resume-zh-mixed-train_log.jsonl" \
    "the same with replaced mentions: resume-zh (copied)=$f/resume-zh-replaced-train_log.jsonl" \
    --out $f/shipped-dev-f1.svg
  "$B" plot-loss "conll03 PaDeLLM cycle 2=$f/conll03-en-cycle2-train_log.jsonl" \
    "conll03 PaDeLLM cycle 3=$f/conll03-en-cycle3-train_log.jsonl" \
    "conll03-en padellm+aug=$f/conll03-en-mixed-train_log.jsonl" \
    "conll03-en padellm+aug cycle 2=$f/conll03-en-mixed-c2-train_log.jsonl" \
    "conll03-en padellm+aug cycle 3=$f/conll03-en-mixed-c3-train_log.jsonl" \
    "cycle 4, count weight 1=$f/conll03-en-c4-count1-train_log.jsonl" \
    "cycle 4, count weight 4=$f/conll03-en-c4-count4-train_log.jsonl" \
    "Resume alone=$f/resume-zh-train_log.jsonl" "Resume alone, dropout 0.1=$f/resume-zh-dropout-train_log.jsonl" \
    "MSRA + Resume=$f/zh-msra-resume-train_log.jsonl" "then Resume=$f/resume-zh-msra-train_log.jsonl" \
    "then Resume padellm+aug: resume-zh=$f/resume-zh-mixed-train_log.jsonl" \
    --out $f/shipped-loss.svg
}

plots() {
  local lat=(batch multi struct aug) names=("PaDeLLM batch" "PaDeLLM multi" "AutoReg_Struct" "AutoReg_Aug")
  for ds in conll03:v2k resume:v3k-prompt1; do
    local d=${ds%%:*} v=${ds##*:} curves=() cdfs=() i
    for f in padellm struct aug; do cp "$R/$d-$f-$v/train_log.jsonl" "docs/results/$d-$v-$f-train_log.jsonl"; done
    "$B" plot-loss "PaDeLLM=docs/results/$d-$v-padellm-train_log.jsonl" "AutoReg_Struct=docs/results/$d-$v-struct-train_log.jsonl" "AutoReg_Aug=docs/results/$d-$v-aug-train_log.jsonl" --out "docs/results/$d-$v-loss.svg"
    for i in 0 1 2 3; do
      local f=${lat[$i]}; [ "$i" -lt 2 ] && f=padellm-$f
      cdfs+=("${names[$i]}=docs/results/$d-$v-$f-dev.json")
    done
    "$B" plot-latency "${cdfs[@]}" --out "docs/results/$d-$v-latency.svg"
  done
  "$B" plot-dev-f1 "PaDeLLM=docs/results/resume-v3k-prompt1-padellm-train_log.jsonl" "AutoReg_Struct=docs/results/resume-v3k-prompt1-struct-train_log.jsonl" "AutoReg_Aug=docs/results/resume-v3k-prompt1-aug-train_log.jsonl" --out docs/results/resume-v3k-prompt1-dev-f1.svg
  cp "$R/conll03-padellm-v2k-copy/train_log.jsonl" docs/results/conll03-v2k-copy-padellm-train_log.jsonl
  cp "$R/conll03-padellm-v2k-copy-prompt1/train_log.jsonl" docs/results/conll03-shipped-train_log.jsonl
  cp "$R/conll03-struct-v2k-copy-prompt1/train_log.jsonl" docs/results/conll03-v2k-copy-prompt1-struct-train_log.jsonl
  "$B" plot-dev-f1 "PaDeLLM, copy-aligned=docs/results/conll03-v2k-copy-padellm-train_log.jsonl" "PaDeLLM, copy-aligned + prompt loss=docs/results/conll03-shipped-train_log.jsonl" "AutoReg_Struct, copy-aligned + prompt loss=docs/results/conll03-v2k-copy-prompt1-struct-train_log.jsonl" --out docs/results/conll03-levers-dev-f1.svg
  "$B" plot-loss "PaDeLLM, copy-aligned + prompt loss=docs/results/conll03-shipped-train_log.jsonl" --out docs/results/conll03-shipped-loss.svg
  "$B" plot-latency "batch=docs/results/conll03-shipped-padellm-batch-dev.json" "multi=docs/results/conll03-shipped-padellm-multi-dev.json" --out docs/results/conll03-shipped-latency.svg
}

case "${1:-all}" in
  train) if [ "${JOBS:-2}" = 1 ]; then train_conll03; train_resume; else train_conll03 & train_resume; wait; fi ;;
  levers) train_levers ;;
  eval) evaluate; evaluate_levers ;;
  eval-base) evaluate ;;
  eval-levers) evaluate_levers ;;
  plots) plots ;;
  models) train_models ;;
  count-bias) count_bias ;;
  repeats) repeats ;;
  wide) train_wide ;;
  wide-aug) train_wide_aug ;;
  zh) train_zh ;;
  zh-wide) train_zh_wide ;;
  replace) train_replaced ;;
  grow) train_grown ;;
  grow-msra) train_grown_msra ;;
  grow-msra2) train_grown_msra2 ;;
  grow-msra3) train_grown_msra3 ;;
  latency-shipped) latency_shipped ;;
  gold-counts) gold_counts ;;
  joined) train_joined ;;
  bidir-msra) train_bidir_msra ;;
  bidir-msra6) train_bidir_msra6 ;;
  bidir-more) train_bidir_more ;;
  bidir-long) train_bidir_long ;;
  bidir-long4) train_bidir_long4 ;;
  long-recipes) train_long_recipes ;;
  long-deep) train_long_deep ;;
  long-seeds8) train_long_seeds8 ;;
  deep-stage) train_deep_stage ;;
  bidir) train_bidir ;;
  table3) train_table3 ;;
  from-aug) train_from_aug ;;
  mixed) train_mixed ;;
  eval-models) evaluate_models ;;
  all) "$0" train; "$0" levers; "$0" eval; "$0" plots ;;
  *) echo "usage: $0 train|levers|eval|eval-base|eval-levers|plots|models|eval-models|count-bias|repeats|wide|wide-aug|zh|zh-wide|replace|grow|grow-msra|grow-msra2|grow-msra3|latency-shipped|gold-counts|joined|bidir|bidir-msra|bidir-msra6|bidir-more|bidir-long|bidir-long4|long-recipes|long-deep|long-seeds8|deep-stage|table3|from-aug|mixed|all" >&2
     exit 2 ;;
esac

#!/usr/bin/env bash
# Judge model v4 (two candidates, the better on the dev parts is kept) and its data ablations,
# trained at once on one GPU (six processes).
# How it was run (JUDGE_CARD.md): through the workplace's device tool, from the repo root,
# with var/judge_data_v4 (python -m nli_judge.data.judge_data --config
# configs/judge_data_v4.json), the stage-1 model var/runs/nli-minilm-pair/final (make
# train-nli) and data/nli/mnli_heldout.tsv beside the code. Results go to $OUT (default
# var/gpu_out): the v4 weights in 15 MB parts (join them with cat), and a tar of every run's
# cards, metrics and logs. EXTRA adds flags to every run, e.g. for a smoke test on the CPU:
# EXTRA="--max_steps 2 --max_train_samples 64 --bf16 false" scripts/train_judge_gpu.sh
set -u
OUT=${OUT:-var/gpu_out}
mkdir -p "$OUT" var/runs var/gpu_logs
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
date -u +"start %H:%M:%S"
train() {  # name config [flags...]
  local name=$1 config=$2; shift 2
  ( start=$SECONDS; python3 -m nli_judge.training.train --config "$config" "$@" ${EXTRA:-}
    echo "$name: exit $?, $((SECONDS - start)) s wall" ) > "var/gpu_logs/$name.log" 2>&1 &
}
pool="healthver climate_fever fever_nli covidfact scifact rte q2_dialogue faithdial_audit sick
      halueval_summ_train xsumfaith cliff goyal21"
train judge-minilm-v4 configs/judge_minilm_v4.json
train judge-minilm-v4b configs/judge_minilm_v4.json --output_dir var/runs/judge-minilm-v4b \
  --run_name judge-minilm-v4b --per_device_train_batch_size 32 --learning_rate 3e-5 \
  --max_steps 8000
train ablation-v4-all configs/judge_ablation_v4.json
train ablation-v4-no-synthetic configs/judge_ablation_v4.json \
  --output_dir var/runs/ablation-v4-no-synthetic --exclude_sources synthetic_medquad synthetic_news
train ablation-v4-no-summary configs/judge_ablation_v4.json \
  --output_dir var/runs/ablation-v4-no-summary \
  --exclude_sources halueval_summ_train xsumfaith cliff goyal21
# shellcheck disable=SC2086
train ablation-v4-no-pool configs/judge_ablation_v4.json \
  --output_dir var/runs/ablation-v4-no-pool --exclude_sources $pool
sleep 90; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader
wait
date -u +"end %H:%M:%S"
for f in var/gpu_logs/*.log; do echo "== $f"; tail -3 "$f"; done
# The candidate with the better mean dev balanced accuracy (over the binary sources).
best=$(python3 - <<'PY'
import json, pathlib
score = {}
for run in ("judge-minilm-v4", "judge-minilm-v4b"):
    f = pathlib.Path("var/runs", run, "dev_metrics.json")
    if f.exists():
        score[run] = json.loads(f.read_text())["mean_binary_balanced_accuracy"]["value"]
print(score, flush=True, file=__import__("sys").stderr)
print(max(score, key=score.get) if score else "")
PY
)
echo "kept: ${best:-none}" | tee "$OUT/kept.txt"
model=var/runs/$best/final/model.safetensors
[ -n "$best" ] && [ -f "$model" ] && split -b 15M -d "$model" "$OUT/v4.safetensors.part-"
tar czf "$OUT/runs.tar.gz" --exclude='*.safetensors' --exclude=trainer var/runs/judge-minilm-v4* \
  var/runs/ablation-v4-* var/gpu_logs
ls -la "$OUT"

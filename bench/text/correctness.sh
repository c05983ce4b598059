#!/usr/bin/env bash
# light10 against Lucene's ArabicNormalizer + ArabicStemmer, normalization against
# Lucene's ArabicNormalizer and CAMeL Tools, Snowball Arabic (rust-stemmers) against
# Snowball's own output, all on every word of the Snowball Arabic vocabulary; the
# normalization comparisons again on the diacritized words of Arabic Wikipedia
# (the ARCD and XQuAD-ar paragraphs).
# Usage: bench/text/correctness.sh
source "$(dirname "$0")/setup.sh"

gzip -dc "$VOC" > "$WORK/voc.txt"
gzip -dc "$SNOWBALL_OUT" > "$WORK/snowball-out.txt"
echo "vocabulary: $(wc -l < "$WORK/voc.txt") words ($VOC)"

"${JAVA[@]}" chain < "$WORK/voc.txt" > "$WORK/lucene-chain.txt"
"$HARNESS" lucene-chain < "$WORK/voc.txt" > "$WORK/safir-chain.txt"
echo "== light10 vs Lucene ArabicNormalizer+ArabicStemmer"
"$HARNESS" compare "$WORK/voc.txt" "$WORK/lucene-chain.txt" "$WORK/safir-chain.txt" all

"${JAVA[@]}" normalize < "$WORK/voc.txt" > "$WORK/lucene-norm.txt"
"$HARNESS" normalize < "$WORK/voc.txt" > "$WORK/safir-norm.txt"
echo "== normalize vs Lucene ArabicNormalizer (scope: letters, harakat, tatweel)"
"$HARNESS" compare "$WORK/voc.txt" "$WORK/lucene-norm.txt" "$WORK/safir-norm.txt" lucene

"$PY" "$(dirname "$0")/python/camel_ref.py" normalize < "$WORK/voc.txt" > "$WORK/camel-norm.txt"
echo "== normalize vs CAMeL dediac_ar+normalize_alef_ar+normalize_alef_maksura_ar+normalize_teh_marbuta_ar (scope: letters, harakat, dagger alef, alef wasla)"
"$HARNESS" compare "$WORK/voc.txt" "$WORK/camel-norm.txt" "$WORK/safir-norm.txt" camel

"$HARNESS" snowball < "$WORK/voc.txt" > "$WORK/safir-snowball.txt"
echo "== Snowball Arabic (rust-stemmers) vs Snowball's reference output"
"$HARNESS" compare "$WORK/voc.txt" "$WORK/snowball-out.txt" "$WORK/safir-snowball.txt" all

"$HARNESS" words "$DATA" > "$WORK/wiki-words.txt"
echo "== on the $(wc -l < "$WORK/wiki-words.txt") distinct words of the ARCD and XQuAD-ar paragraphs"
"${JAVA[@]}" normalize < "$WORK/wiki-words.txt" > "$WORK/wiki-lucene-norm.txt"
"$HARNESS" normalize < "$WORK/wiki-words.txt" > "$WORK/wiki-safir-norm.txt"
"$PY" "$(dirname "$0")/python/camel_ref.py" normalize < "$WORK/wiki-words.txt" > "$WORK/wiki-camel-norm.txt"
echo "-- vs Lucene ArabicNormalizer"
"$HARNESS" compare "$WORK/wiki-words.txt" "$WORK/wiki-lucene-norm.txt" "$WORK/wiki-safir-norm.txt" lucene
echo "-- vs CAMeL Tools"
"$HARNESS" compare "$WORK/wiki-words.txt" "$WORK/wiki-camel-norm.txt" "$WORK/wiki-safir-norm.txt" camel

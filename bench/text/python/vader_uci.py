"""VADER (vaderSentiment 3.3.2, the Python reference) on the UCI Sentiment Labelled
Sentences: POS-versus-NEG accuracy per set, the same sentences the Rust evaluation
scores. Usage: python vader_uci.py DIR (DIR holds the three *_labelled.txt files).

A sentence is POS when its compound score is above zero and NEG when below; a
compound of exactly zero (no lexicon word) cannot be decided and counts as an
error (the second column gives the share of such sentences)."""
import sys

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SETS = ["amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"]


def main(directory):
    analyzer = SentimentIntensityAnalyzer()
    print("| set | VADER (Python) accuracy | undecided (compound 0) |")
    print("|---|---|---|")
    for name in SETS:
        hits = undecided = total = 0
        with open(f"{directory}/{name}", encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                sentence, label = line.rstrip("\n").rsplit("\t", 1)
                compound = analyzer.polarity_scores(sentence)["compound"]
                total += 1
                if compound == 0:
                    undecided += 1
                elif (compound > 0) == (label.strip() == "1"):
                    hits += 1
        print(f"| {name} | {hits / total:.4f} | {undecided / total:.4f} |")


if __name__ == "__main__":
    main(sys.argv[1])

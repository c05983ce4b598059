"""Classical text classifiers (scikit-learn) on the ArSarcasm-v2 training split, scored by
5-fold cross-validation on exactly the folds of `sentiment_eval cv` (the same seeded
xorshift shuffle, rank modulo 5), with the same measure: F1-PN (the mean of the F1 of POS
and of NEG), averaged over the folds. A reference for Safir's shipped configuration on the
same folds; nothing here reads the test split.

    python classical_cv.py <dir with train.csv>
"""

import csv
import re
import sys

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

MASK = (1 << 64) - 1


def fold_order(n):
    """`fold_order` of crates/safir-text/src/sentiment/evaluate.rs."""
    state = 0xF01D_5EED

    def draw():
        nonlocal state
        x = state
        x ^= x >> 12
        x ^= (x << 25) & MASK
        x ^= x >> 27
        state = x
        return (x * 0x2545_F491_4F6C_DD1D) & MASK

    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = draw() % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def normalize(text):
    """Links and mentions masked, and the folds of Safir's normalizer that matter most here."""
    text = re.sub(r"https?://\S+", " URL ", text)
    text = re.sub(r"@\w+", " @USER ", text)
    text = re.sub("[\u064b-\u0652\u0670\u0640]", "", text)
    text = re.sub("[أإآٱ]", "ا", text).replace("ى", "ي").replace("ة", "ه")
    text = re.sub(r"(.)\1{2,}", r"\1\1", text)
    return text.replace("#", " ").replace("_", " ").lower()


def tfidf_words_chars(train, test):
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    words = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+"
    )
    a = hstack([chars.fit_transform(train), words.fit_transform(train)]).tocsr()
    b = hstack([chars.transform(test), words.transform(test)]).tocsr()
    return a, b


def svm(c):
    def run(train, y, test):
        a, b = tfidf_words_chars(train, test)
        return LinearSVC(C=c, class_weight="balanced").fit(a, y).predict(b)

    return run


def logistic(c, balanced):
    def run(train, y, test):
        a, b = tfidf_words_chars(train, test)
        weight = "balanced" if balanced else None
        model = LogisticRegression(C=c, max_iter=3000, class_weight=weight)
        return model.fit(a, y).predict(b)

    return run


def naive_bayes(train, y, test):
    counts = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5))
    model = MultinomialNB(alpha=0.5).fit(counts.fit_transform(train), y)
    return model.predict(counts.transform(test))


CLASSIFIERS = [
    ("naive Bayes, character 2-5-grams (counts, alpha 0.5)", naive_bayes),
    ("linear SVM, tf-idf character 2-5-grams + word 1-2-grams, C 0.1, balanced", svm(0.1)),
    ("linear SVM, the same, C 0.3, balanced", svm(0.3)),
    ("logistic regression, the same features, C 3, balanced", logistic(3, True)),
    ("logistic regression, the same features, C 10, balanced", logistic(10, True)),
    ("logistic regression, the same features, C 3", logistic(3, False)),
]


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/arsarcasm-v2"
    with open(f"{directory}/train.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = [normalize(r["tweet"]) for r in rows]
    labels = np.array([r["sentiment"].strip() for r in rows])
    order = fold_order(len(rows))
    fold = np.empty(len(rows), dtype=int)
    for rank, n in enumerate(order):
        fold[n] = rank % 5
    print(f"{len(rows)} tweets, 5 folds of the seeded shuffle")
    print("| classifier (5-fold CV on train) | F1-PN |")
    print("|---|---|")
    for name, classify in CLASSIFIERS:
        total = 0.0
        for k in range(5):
            train = [texts[i] for i in np.flatnonzero(fold != k)]
            test = [texts[i] for i in np.flatnonzero(fold == k)]
            predicted = classify(train, labels[fold != k], test)
            total += f1_score(labels[fold == k], predicted, labels=["POS", "NEG"], average="macro")
        print(f"| {name} | {total / 5:.4f} |", flush=True)


if __name__ == "__main__":
    main()

//! Safir text engine: Arabic-first repair, normalization, tokenization, stemming,
//! language identification and sentiment. Pure functions, no I/O.

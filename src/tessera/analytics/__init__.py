"""Member intelligence: models of what members will buy and what they are worth (issue 6).

Pure computation over plain arrays, with no database access: ``clv`` holds the lifetime-value models (BG/NBD,
Gamma-Gamma and their combination), ``history`` turns purchase lines into the per-member summaries those models
read, and ``synthetic`` draws members from a fitted BG/NBD for tests and benchmarks. See docs/analytics.md.
"""

"""Console plumbing every area shares: write tokens for idempotent forms, money fields, error display."""

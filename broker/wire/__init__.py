"""Wire documents: the JSON carried inside signed envelopes."""

"""Route modules of API v1, one per feature; each only translates HTTP into operations and queries."""

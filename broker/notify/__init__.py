"""Telling every party in time: webhook endpoints fed from a transactional outbox, signed by the broker."""
